//! Reads on PostgreSQL streaming standbys (`DATABASE_READ_URLS`), writes on the primary.
//!
//! [`Replicas`] holds the primary's pool and one pool per standby. A monitor polls every
//! database a few times per `GCM_MAX_REPLICA_LAG_MS`: the primary's WAL position, each
//! standby's replayed position, and the catalogue version each one holds. A standby's lag
//! is the time since the primary first stood past where the standby has replayed to (WAL
//! positions, to within a poll; not `pg_last_xact_replay_timestamp()`, which grows on an
//! idle primary); a standby lagging
//! more than the limit, or not answering, leaves the rotation until a poll finds it well.
//!
//! [`Replicas::read`] picks the standby in rotation with the fewest reads in flight that is
//! at least as fresh as the request needs (a WAL position its caller wrote at, a catalogue
//! version its client saw), and otherwise the primary: with no standby fit, reads fall back.
//!
//! Metrics: `gcm_database_reads_total{database}`, `gcm_replica_fallbacks_total{reason}`,
//! `gcm_replica_lag_seconds{database}`, `gcm_replica_in_rotation{database}`.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::QueryableByName;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Nullable};
use diesel_async::RunQueryDsl;

use crate::schema::writer_positions;
use crate::{Pool, PoolConfig, StoreError, StoreResult, build_pool};

/// The name the primary goes by in metrics and `/readyz`.
pub const PRIMARY: &str = "primary";

/// How long one poll of one database may take before it counts as not answering.
const POLL_TIMEOUT: Duration = Duration::from_secs(1);

/// A database's place in the rotation, as the last poll (or a failed read) left it.
#[derive(Debug, Clone, Default)]
pub struct Health {
    /// In rotation: answering, in recovery, within the lag limit.
    pub in_rotation: bool,
    /// Bytes of WAL from 0/0: replayed (a standby) or written (the primary).
    pub position: Option<i64>,
    pub version: Option<i64>,
    pub lag: Option<Duration>,
    /// Why it is out of rotation.
    pub problem: Option<String>,
}

struct Standby {
    name: String,
    /// `gcm_database_reads_total{database=name}`, registered once (a read costs no lookup).
    reads: metrics::Counter,
    pool: Pool,
    in_flight: AtomicUsize,
    health: Mutex<Health>,
}

/// The primary and its standbys, and what the monitor knows of them.
pub struct Replicas {
    primary: Pool,
    primary_reads: metrics::Counter,
    primary_health: Mutex<Health>,
    standbys: Vec<Standby>,
    max_lag: Duration,
    /// The primary's recent positions and when they were seen, newest last: a standby's lag
    /// is read off them.
    history: Mutex<VecDeque<(i64, Instant)>>,
    /// Where the next read starts looking among equally busy standbys.
    next: AtomicUsize,
}

/// Where one request reads, held for as long as it reads there.
pub struct ReadTarget {
    pub pool: Pool,
    /// The database's name (`primary` or a standby's `host:port/db`).
    pub name: Arc<str>,
    /// The catalogue version the database held at its last poll: the answer is at least this new.
    pub version: Option<i64>,
    replicas: Option<(Arc<Replicas>, usize)>,
}

impl ReadTarget {
    /// A read on `pool` outside any rotation (no standbys configured).
    pub fn primary(pool: Pool) -> Self {
        Self {
            pool,
            name: Arc::from(PRIMARY),
            version: None,
            replicas: None,
        }
    }

    pub fn is_standby(&self) -> bool {
        self.replicas.is_some()
    }

    /// The read failed as a database that went away fails: the standby leaves the rotation
    /// until the monitor finds it well again, and its idle connections are dropped.
    pub fn failed(&self, reason: &str) {
        if let Some((replicas, index)) = &self.replicas {
            replicas.take_out(*index, reason);
        }
    }
}

impl Drop for ReadTarget {
    fn drop(&mut self) {
        if let Some((replicas, index)) = &self.replicas {
            replicas.standbys[*index]
                .in_flight
                .fetch_sub(1, Ordering::Relaxed);
        }
    }
}

/// What a read needs of the database it runs on.
#[derive(Debug, Clone, Copy, Default)]
pub struct Freshness {
    /// The caller's last write, as a WAL position: the standby must have replayed past it.
    pub position: Option<i64>,
    /// The catalogue version the client last saw.
    pub version: Option<i64>,
}

#[derive(QueryableByName)]
struct PrimaryPoll {
    #[diesel(sql_type = BigInt)]
    position: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    version: Option<i64>,
}

#[derive(QueryableByName)]
struct StandbyPoll {
    #[diesel(sql_type = Bool)]
    in_recovery: bool,
    #[diesel(sql_type = Nullable<BigInt>)]
    position: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    version: Option<i64>,
}

const PRIMARY_POLL: &str = "SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint AS position, \
     (SELECT version FROM catalogue_version LIMIT 1) AS version";
const STANDBY_POLL: &str = "SELECT pg_is_in_recovery() AS in_recovery, \
     (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint AS position, \
     (SELECT version FROM catalogue_version LIMIT 1) AS version";

/// A URL without its credentials: how a standby is named in logs, metrics and `/readyz`.
pub fn database_name(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(parsed) => format!(
            "{}:{}{}",
            parsed.host_str().unwrap_or("localhost"),
            parsed.port().unwrap_or(5432),
            parsed.path()
        ),
        Err(_) => "(unparsable URL)".to_owned(),
    }
}

impl Replicas {
    /// The primary and the standbys at `read_urls`. A standby that answers must be in
    /// recovery: one that accepts writes is refused (reads there would miss the primary's
    /// writes for good). One that does not answer yet starts out of rotation.
    pub async fn connect(
        primary: Pool,
        read_urls: &[String],
        pool_config: &PoolConfig,
        max_lag: Duration,
    ) -> StoreResult<Arc<Self>> {
        let mut standbys = Vec::with_capacity(read_urls.len());
        for url in read_urls {
            let name = database_name(url);
            let pool = build_pool(url, pool_config)?;
            let first = tokio::time::timeout(POLL_TIMEOUT * 5, poll_standby(&pool)).await;
            let health = match first {
                Ok(Ok(poll)) if !poll.in_recovery => {
                    return Err(StoreError::Unavailable(format!(
                        "DATABASE_READ_URLS entry {name} accepts writes (pg_is_in_recovery() \
                         is false): only a streaming standby of DATABASE_URL may serve reads"
                    )));
                }
                Ok(Ok(_)) => Health::default(),
                Ok(Err(e)) => {
                    tracing::warn!(standby = %name, error = %e, "standby not answering at start: out of rotation until it does");
                    out_of_rotation(e.to_string())
                }
                Err(_) => out_of_rotation("not answering".to_owned()),
            };
            standbys.push(Standby {
                reads: metrics::counter!("gcm_database_reads_total", "database" => name.clone()),
                name,
                pool,
                in_flight: AtomicUsize::new(0),
                health: Mutex::new(health),
            });
        }
        let replicas = Arc::new(Self {
            primary,
            primary_reads: metrics::counter!("gcm_database_reads_total", "database" => PRIMARY),
            primary_health: Mutex::new(Health::default()),
            standbys,
            max_lag,
            history: Mutex::new(VecDeque::new()),
            next: AtomicUsize::new(0),
        });
        if replicas.has_standbys() {
            replicas.poll().await;
        }
        Ok(replicas)
    }

    pub fn primary(&self) -> &Pool {
        &self.primary
    }

    pub fn has_standbys(&self) -> bool {
        !self.standbys.is_empty()
    }

    /// How often the monitor polls: a tenth of the lag limit, within 50 ms..1 s.
    pub fn poll_interval(&self) -> Duration {
        (self.max_lag / 10).clamp(Duration::from_millis(50), Duration::from_secs(1))
    }

    /// Polls every database until the task is aborted.
    pub fn monitor(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let replicas = Arc::clone(self);
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(replicas.poll_interval());
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                replicas.poll().await;
            }
        })
    }

    /// One poll of the primary, then of every standby (all at once).
    pub async fn poll(&self) {
        let polled = tokio::time::timeout(POLL_TIMEOUT, async {
            let mut conn = self.primary.get().await?;
            let poll: PrimaryPoll = diesel::sql_query(PRIMARY_POLL)
                .get_result(&mut conn)
                .await?;
            Ok::<_, StoreError>(poll)
        })
        .await;
        let now = Instant::now();
        if let Ok(mut health) = self.primary_health.lock() {
            *health = match polled {
                Ok(Ok(poll)) => {
                    if let Ok(mut history) = self.history.lock() {
                        history.push_back((poll.position, now));
                        let keep = self.max_lag * 2 + Duration::from_secs(1);
                        while history
                            .front()
                            .is_some_and(|(_, at)| now.duration_since(*at) > keep)
                            && history.len() > 1
                        {
                            history.pop_front();
                        }
                    }
                    Health {
                        in_rotation: true,
                        position: Some(poll.position),
                        version: poll.version,
                        lag: None,
                        problem: None,
                    }
                }
                Ok(Err(e)) => out_of_rotation(e.to_string()),
                Err(_) => out_of_rotation("not answering".to_owned()),
            };
        }
        let polls = self.standbys.iter().map(|standby| async move {
            (
                standby,
                tokio::time::timeout(POLL_TIMEOUT, poll_standby(&standby.pool)).await,
            )
        });
        for (standby, polled) in futures::future::join_all(polls).await {
            let health = match polled {
                Ok(Ok(poll)) if !poll.in_recovery => {
                    out_of_rotation("promoted: no longer in recovery".to_owned())
                }
                Ok(Ok(poll)) => {
                    let lag = poll.position.and_then(|position| self.lag_at(position));
                    let within = lag.is_some_and(|lag| lag <= self.max_lag);
                    Health {
                        in_rotation: within,
                        position: poll.position,
                        version: poll.version,
                        lag,
                        problem: (!within).then(|| match lag {
                            Some(lag) => format!(
                                "lagging {} ms behind the primary (GCM_MAX_REPLICA_LAG_MS is {})",
                                lag.as_millis(),
                                self.max_lag.as_millis()
                            ),
                            None => "catching up: how far behind is not known yet".to_owned(),
                        }),
                    }
                }
                Ok(Err(e)) => out_of_rotation(e.to_string()),
                Err(_) => out_of_rotation("not answering".to_owned()),
            };
            self.set_health(standby, health);
        }
    }

    /// How far behind the primary a standby that replayed to `position` is (to within a
    /// poll interval): zero when it has reached the primary's last known position, else the
    /// time since the primary first stood past `position`. `None` when the standby is behind
    /// everything the history holds and the history is shorter than the lag limit (just
    /// after start): it may be hours behind, and stays out until that is known.
    fn lag_at(&self, position: i64) -> Option<Duration> {
        let history = self.history.lock().ok()?;
        let now = Instant::now();
        let (newest, _) = history.back()?;
        if position >= *newest {
            return Some(Duration::ZERO);
        }
        let (oldest, since) = history.front()?;
        if position < *oldest {
            let span = now.duration_since(*since);
            return (span > self.max_lag).then_some(span);
        }
        history
            .iter()
            .find(|(seen, _)| *seen > position)
            .map(|(_, at)| now.duration_since(*at))
    }

    fn set_health(&self, standby: &Standby, health: Health) {
        let label = standby.name.clone();
        metrics::gauge!("gcm_replica_in_rotation", "database" => label.clone())
            .set(if health.in_rotation { 1.0 } else { 0.0 });
        // Unknown (down, catching up) shows as NaN, not as the last value seen.
        metrics::gauge!("gcm_replica_lag_seconds", "database" => label)
            .set(health.lag.map_or(f64::NAN, |lag| lag.as_secs_f64()));
        let Ok(mut current) = standby.health.lock() else {
            return;
        };
        if current.in_rotation != health.in_rotation {
            if health.in_rotation {
                tracing::info!(standby = %standby.name, "standby back in rotation");
            } else {
                tracing::warn!(standby = %standby.name, problem = health.problem.as_deref().unwrap_or(""), "standby out of rotation");
            }
        }
        *current = health;
    }

    fn take_out(&self, index: usize, reason: &str) {
        let standby = &self.standbys[index];
        crate::forget_cached_statements(&standby.pool);
        let mut health = standby
            .health
            .lock()
            .map(|health| health.clone())
            .unwrap_or_default();
        health.in_rotation = false;
        health.problem = Some(format!("a read failed: {reason}"));
        self.set_health(standby, health);
    }

    /// Where a read runs: the fittest standby in rotation, else the primary.
    pub fn read(self: &Arc<Self>, need: Freshness) -> ReadTarget {
        if self.standbys.is_empty() {
            return self.on_primary(None);
        }
        let mut best: Option<(usize, usize, Option<i64>)> = None;
        let mut behind = false;
        // Ties go round the standbys, not always to the first.
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let count = self.standbys.len();
        for index in (0..count).map(|offset| (start + offset) % count) {
            let standby = &self.standbys[index];
            let Ok(health) = standby.health.lock() else {
                continue;
            };
            if !health.in_rotation {
                continue;
            }
            let fresh_enough = need
                .position
                .is_none_or(|wanted| health.position.is_some_and(|at| at >= wanted))
                && need
                    .version
                    .is_none_or(|wanted| health.version.is_some_and(|at| at >= wanted));
            if !fresh_enough {
                behind = true;
                continue;
            }
            let in_flight = AtomicUsize::load(&standby.in_flight, Ordering::Relaxed);
            if best.is_none_or(|(_, fewest, _)| in_flight < fewest) {
                best = Some((index, in_flight, health.version));
            }
        }
        match best {
            Some((index, _, version)) => {
                let standby = &self.standbys[index];
                standby.in_flight.fetch_add(1, Ordering::Relaxed);
                standby.reads.increment(1);
                ReadTarget {
                    pool: standby.pool.clone(),
                    name: Arc::from(standby.name.as_str()),
                    version,
                    replicas: Some((Arc::clone(self), index)),
                }
            }
            None => {
                let mut target = self.on_primary(Some(if behind { "behind" } else { "unhealthy" }));
                // The primary holds every write: at least what the client asked for.
                target.version = target.version.max(need.version);
                target
            }
        }
    }

    /// A read on the primary; `fallback` says why when a standby should have taken it.
    pub fn on_primary(&self, fallback: Option<&'static str>) -> ReadTarget {
        if let Some(reason) = fallback {
            metrics::counter!("gcm_replica_fallbacks_total", "reason" => reason).increment(1);
        }
        self.primary_reads.increment(1);
        let version = self
            .primary_health
            .lock()
            .ok()
            .and_then(|health| health.version);
        ReadTarget {
            pool: self.primary.clone(),
            name: Arc::from(PRIMARY),
            version,
            replicas: None,
        }
    }

    /// The primary, for a mutation (not counted as a read).
    pub fn for_writes(&self) -> ReadTarget {
        ReadTarget {
            pool: self.primary.clone(),
            name: Arc::from(PRIMARY),
            version: self.primary_version(),
            replicas: None,
        }
    }

    /// Every database and its health, the primary first (`/readyz`).
    pub fn health(&self) -> Vec<(String, &'static str, Health)> {
        let mut all = Vec::with_capacity(1 + self.standbys.len());
        all.push((
            PRIMARY.to_owned(),
            PRIMARY,
            self.primary_health
                .lock()
                .map(|health| health.clone())
                .unwrap_or_default(),
        ));
        for standby in &self.standbys {
            all.push((
                standby.name.clone(),
                "standby",
                standby
                    .health
                    .lock()
                    .map(|health| health.clone())
                    .unwrap_or_default(),
            ));
        }
        all
    }

    /// The catalogue version the primary held at the last poll.
    pub fn primary_version(&self) -> Option<i64> {
        self.primary_health.lock().ok().and_then(|h| h.version)
    }

    /// Remembers, on the primary, where `key_id` last wrote: its reads go to the primary
    /// until a standby has replayed that far, whichever server process they reach.
    pub async fn record_write(&self, key_id: i32) -> StoreResult<()> {
        let mut conn = self.primary.get().await?;
        diesel::sql_query(
            "INSERT INTO writer_positions (key_id, wal_position) \
             VALUES ($1, (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint) \
             ON CONFLICT (key_id) DO UPDATE \
             SET wal_position = excluded.wal_position, written_at = now()",
        )
        .bind::<diesel::sql_types::Integer, _>(key_id)
        .execute(&mut conn)
        .await?;
        Ok(())
    }

    /// Where `key_id` last wrote (read on the primary), if it ever did.
    pub async fn write_position(&self, key_id: i32) -> StoreResult<Option<i64>> {
        let mut conn = self.primary.get().await?;
        Ok(writer_positions::table
            .find(key_id)
            .select(writer_positions::wal_position)
            .first(&mut conn)
            .await
            .optional()?)
    }
}

fn out_of_rotation(problem: String) -> Health {
    Health {
        in_rotation: false,
        problem: Some(problem),
        ..Health::default()
    }
}

async fn poll_standby(pool: &Pool) -> StoreResult<StandbyPoll> {
    let mut conn = pool.get().await?;
    Ok(diesel::sql_query(STANDBY_POLL)
        .get_result(&mut conn)
        .await?)
}

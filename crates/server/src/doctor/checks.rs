//! The checks themselves, one function each, and the text helpers of their reports.

use std::net::{SocketAddr, TcpListener};
use std::time::Duration;

use gcm_embedded_postgres::{ClusterError, EmbeddedCluster};
use gcm_store::{PoolConfig, build_pool, catalogue, migrations};

use super::{Check, Status};

/// A problem of the embedded cluster is a failure only when it is going to be used.
fn cluster_problem(embedded: bool) -> Status {
    if embedded { Status::Fail } else { Status::Warn }
}

const NOT_USED: &str = "not used while DATABASE_URL is set";

pub(super) async fn programs(cluster: &EmbeddedCluster, embedded: bool) -> Check {
    const NAME: &str = "PostgreSQL programs";
    match cluster.find_programs().await {
        Ok(programs) => {
            let mut detail = format!(
                "PostgreSQL {} in {}",
                programs.version,
                programs.dir.display()
            );
            if !embedded {
                detail.push_str(&format!(" ({NOT_USED})"));
            }
            Check::new(Status::Ok, NAME, detail)
        }
        Err(ClusterError::BinariesNotFound { searched }) => {
            let mut detail = format!(
                "initdb, pg_ctl and postgres not found together (looked in {}). Install \
                 PostgreSQL's server package (Debian/Ubuntu: apt-get install postgresql; \
                 Fedora/RHEL: dnf install postgresql-server; Alpine: apk add postgresql; macOS: \
                 brew install postgresql@15), or set GCM_PG_BIN_DIR to the directory holding \
                 them, or set DATABASE_URL",
                searched.trim()
            );
            if !embedded {
                detail.push_str(&format!(" ({NOT_USED})"));
            }
            Check::new(cluster_problem(embedded), NAME, detail)
        }
        Err(e) => Check::new(cluster_problem(embedded), NAME, e.to_string()),
    }
}

pub(super) fn data_dir(cluster: &EmbeddedCluster, embedded: bool) -> Check {
    const NAME: &str = "data directory";
    match cluster.inspect_data_dir() {
        Ok(state) => {
            let mut detail = state.path.display().to_string();
            match &state.owner {
                None => detail.push_str(": does not exist yet; the first start creates it"),
                Some((uid, user)) => {
                    let owner = match user {
                        Some(name) => format!("{name} (uid {uid})"),
                        None => format!("uid {uid}"),
                    };
                    detail.push_str(&format!(": exists, owned by {owner}"));
                    match &state.cluster_version {
                        Some(version) => {
                            detail.push_str(&format!(", holds a PostgreSQL {version} cluster"));
                        }
                        None => detail.push_str(", no cluster yet (the first start creates it)"),
                    }
                }
            }
            if let Some(user) = &state.run_as {
                detail.push_str(&format!(
                    "; running as root: PostgreSQL runs as the `{user}` user, which can reach it"
                ));
            }
            if !embedded {
                detail.push_str(&format!(" ({NOT_USED})"));
            }
            Check::new(Status::Ok, NAME, detail)
        }
        Err(e) => {
            let mut detail = e.to_string();
            if !embedded {
                detail.push_str(&format!(" ({NOT_USED})"));
            }
            Check::new(cluster_problem(embedded), NAME, detail)
        }
    }
}

/// Binds the address for an instant, as `serve` would, and lets it go at once.
pub(super) fn listen(address: SocketAddr) -> Check {
    const NAME: &str = "listen address (GCM_LISTEN)";
    if address.port() == 0 {
        return Check::new(
            Status::Ok,
            NAME,
            format!("{address}: port 0, `serve` binds any free port and prints it"),
        );
    }
    match TcpListener::bind(address) {
        Ok(listener) => {
            drop(listener);
            Check::new(Status::Ok, NAME, format!("{address} is free"))
        }
        Err(e) => {
            let hint = match e.kind() {
                std::io::ErrorKind::AddrInUse => {
                    "something already listens there (another `gcm-catalogue serve`?): stop it, \
                     or choose another address with GCM_LISTEN or --listen"
                }
                std::io::ErrorKind::PermissionDenied => {
                    "ports below 1024 need privileges: choose a port of 1024 or above with \
                     GCM_LISTEN or --listen"
                }
                std::io::ErrorKind::AddrNotAvailable => {
                    "no interface of this machine has that address: use 127.0.0.1, 0.0.0.0 or \
                     one of its addresses in GCM_LISTEN or --listen"
                }
                _ => "choose another address with GCM_LISTEN or --listen",
            };
            Check::new(
                Status::Fail,
                NAME,
                format!("cannot bind {address} ({e}): {hint}"),
            )
        }
    }
}

pub(super) async fn database(url: Option<&str>, data_dir: &str) -> Check {
    const NAME: &str = "DATABASE_URL";
    let Some(url) = url else {
        return Check::new(
            Status::Ok,
            NAME,
            format!("not set: the commands use the embedded PostgreSQL under {data_dir}"),
        );
    };
    let shown = redact(url);
    let pool_config = PoolConfig {
        max_connections: 1,
        acquire_timeout: Duration::from_secs(5),
        statement_timeout: Duration::from_secs(10),
    };
    let pool = match build_pool(url, &pool_config) {
        Ok(pool) => pool,
        Err(e) => {
            return Check::new(
                Status::Fail,
                NAME,
                format!(
                    "{shown} is not a usable PostgreSQL URL ({e}); expected e.g. postgres://user@host:5432/gcm"
                ),
            );
        }
    };
    let check = match pool.get().await {
        Err(e) => Check::new(
            Status::Fail,
            NAME,
            format!(
                "cannot connect to {shown} ({}): check the host, port, user, password and \
                 database name, and that PostgreSQL runs there and accepts this client",
                causes(&e)
            ),
        ),
        Ok(mut conn) => match migrations::pending(&mut conn).await {
            Err(e) => Check::new(
                Status::Fail,
                NAME,
                format!("connects to {shown}, but cannot read its migrations ({e})"),
            ),
            Ok(pending) if pending.is_empty() => {
                drop(conn);
                let catalogue = match catalogue::has_catalogue(&pool).await {
                    Ok(true) => "holds a catalogue",
                    Ok(false) => "holds no catalogue yet (`serve` imports the bundled one)",
                    Err(_) => "its catalogue could not be read",
                };
                Check::new(
                    Status::Ok,
                    NAME,
                    format!(
                        "connects to {shown}; migrated (all {} migrations applied); {catalogue}",
                        migrations::embedded_versions().len()
                    ),
                )
            }
            Ok(pending) => Check::new(
                Status::Warn,
                NAME,
                format!(
                    "connects to {shown}; not migrated: {} of {} migrations pending ({}). \
                     `gcm-catalogue migrate` applies them (`serve` does too, at start)",
                    pending.len(),
                    migrations::embedded_versions().len(),
                    pending.join(", ")
                ),
            ),
        },
    };
    pool.close();
    check
}

/// The URL without its password, to print.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        // The key=value form: `host=db user=gcm password=…`.
        return url
            .split_whitespace()
            .map(|pair| {
                if pair.starts_with("password=") {
                    "password=***"
                } else {
                    pair
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{scheme}://{user}:***@{host}{path}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

/// An error and its causes, `a: b: c` (the pool's own message alone says little).
fn causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// A message of several lines (the cluster's errors list what they tried) on one line.
pub(super) fn one_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_hides_only_the_password() {
        assert_eq!(
            redact("postgres://gcm:s3cret@db:5432/gcm?sslmode=disable"),
            "postgres://gcm:***@db:5432/gcm?sslmode=disable"
        );
        assert_eq!(redact("postgres://gcm@db/gcm"), "postgres://gcm@db/gcm");
        assert_eq!(
            redact("host=db user=gcm password=s3cret"),
            "host=db user=gcm password=***"
        );
    }

    #[test]
    fn a_line_per_check() {
        let check = Check::new(Status::Fail, "x", "one\n  two\n");
        assert_eq!(check.to_string(), "FAIL  x: one two");
    }
}

//! The embedded default of gcm-catalogue: a private PostgreSQL cluster that `serve` creates
//! and owns under the data directory when no `DATABASE_URL` is given. It runs the machine's
//! own PostgreSQL programs, found by [`find_program`]'s search (which the tests use too).
//!
//! Layout under the data directory:
//!
//! ```text
//! postgres/            the cluster's home, mode 0700, owned by the user PostgreSQL runs as
//!   data/              PGDATA (initdb writes `data.initdb/` and renames it once complete,
//!                      so a `data/` that exists is always a whole cluster)
//!   server.log         PostgreSQL's own log
//! owner.lock           the PID of the process that owns the cluster, locked (flock) by it
//!                      for as long as it runs
//! postgres.lock        held while the server is started or stopped (older versions of
//!                      gcm-catalogue, which shared clusters, rely on it too)
//! ```
//!
//! PostgreSQL refuses to run as root, so when this process is root the cluster belongs to
//! the `postgres` user and every PostgreSQL program runs with that uid/gid; otherwise it
//! runs as the current user. The server listens on 127.0.0.1 only, on a port chosen free at
//! each start, with no Unix socket (socket paths are limited to ~100 bytes and data
//! directories can be deeper than that). Nothing is ever downloaded: the binaries come
//! from the machine (see [`EmbeddedCluster::with_bin_dir`] and the search order there).
//!
//! Authentication is `trust`: any local user can connect to the cluster as its superuser.
//! That suits a developer's machine; a shared or production host should use `DATABASE_URL`.
//!
//! One process owns a data directory at a time: [`EmbeddedCluster::start`] (what `serve`
//! uses) takes `owner.lock` or fails with [`ClusterError::InUse`], naming the owner's PID.
//! The lock is an advisory `flock`, which the kernel drops when its process ends however it
//! ends, so a crash leaves no stale lock (the PID left in the file is then ignored).
//! [`EmbeddedCluster::start_or_join`] (the one-shot commands: `migrate`, `keys`, `import`,
//! …) does the same when the directory is free; when it is owned, it runs against the
//! owner's cluster and leaves it running, as the owner's to stop.
//!
//! A process that dies without calling [`RunningCluster::stop`] leaves its server running;
//! the next owner reuses it (and, not having started it, leaves it running too).

use std::ffi::CString;
use std::fs;
use std::io::{self, Write};
use std::net::{Ipv4Addr, TcpListener};
use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::sys::signal::kill;
use nix::unistd::{Gid, Pid, Uid, User, getgrouplist};
use tokio::process::Command;
use tracing::{debug, info, warn};

/// Where root keeps the embedded cluster when no GCM_DATA_DIR is given, as services do: a
/// clone in root's home (mode 700 on Debian, Ubuntu and container images) is out of reach
/// of the unprivileged `postgres` user the cluster runs as.
pub const ROOT_DATA_DIR: &str = "/var/lib/gcm-catalogue";

/// Where anyone else keeps it: beside the working directory.
pub const USER_DATA_DIR: &str = "./.gcm-data";

/// The data directory when none is configured, for who runs the process.
pub fn default_data_dir() -> PathBuf {
    if Uid::effective().is_root() {
        PathBuf::from(ROOT_DATA_DIR)
    } else {
        PathBuf::from(USER_DATA_DIR)
    }
}

/// The programs a cluster needs; they must sit together in one directory.
const REQUIRED_PROGRAMS: [&str; 3] = ["initdb", "pg_ctl", "postgres"];
/// Where Debian and Ubuntu install the server programs (they are not on PATH there).
const DEBIAN_BIN_GLOB: &str = "/usr/lib/postgresql/*/bin";
const DATABASE_NAME: &str = "gcm";
const SUPERUSER: &str = "postgres";
/// The system user that owns the cluster when this process runs as root.
const SERVICE_USER: &str = "postgres";
/// How long pg_ctl may wait for the server to start or stop.
const PG_CTL_TIMEOUT_SECS: &str = "60";
/// How long a cluster found running (started by another process) has to accept connections.
const REUSE_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a one-shot command waits for the owner of the data directory to have its server
/// up (the owner may be running initdb).
const JOIN_TIMEOUT: Duration = Duration::from_secs(90);
/// Another process may take the free port between our probe and PostgreSQL's bind.
const START_ATTEMPTS: usize = 3;

const INSTALL_HINT: &str = "Install PostgreSQL's server package:\n  \
     Debian/Ubuntu:  apt-get install postgresql\n  \
     Fedora/RHEL:    dnf install postgresql-server\n  \
     Alpine:         apk add postgresql\n  \
     macOS:          brew install postgresql@15\n\
     or point GCM_PG_BIN_DIR at the directory that holds initdb, pg_ctl and postgres,\n\
     or set DATABASE_URL to use a PostgreSQL server you already run.";

/// Why the embedded cluster could not be had. Every message says what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// initdb, pg_ctl and postgres were not found together anywhere we looked.
    #[error(
        "PostgreSQL's server programs were not found: without DATABASE_URL, gcm-catalogue runs \
         its own PostgreSQL and needs {programs} in one directory.\nLooked in:\n{searched}\n{hint}",
        programs = REQUIRED_PROGRAMS.join(", "),
        hint = INSTALL_HINT
    )]
    BinariesNotFound { searched: String },
    /// The programs found are of another major version than the existing cluster.
    #[error(
        "the cluster in {cluster} was created by PostgreSQL {cluster_version}, but the server \
         programs found are PostgreSQL {found}; install PostgreSQL {cluster_version}'s server \
         package (Debian/Ubuntu: apt-get install postgresql-{cluster_version}), point \
         GCM_PG_BIN_DIR at its bin directory, or move {cluster} away to start afresh"
    )]
    VersionMismatch {
        cluster: String,
        cluster_version: String,
        found: String,
    },
    /// Running as root and PostgreSQL cannot be run as anyone else, or cannot reach its files.
    #[error("{0}")]
    Permissions(String),
    /// (The cause is in the message, not a `source`: callers print one line.)
    #[error("{context}: {cause}")]
    Io { context: String, cause: io::Error },
    /// A PostgreSQL program failed; the message carries its output or the server log.
    #[error("{0}")]
    Program(String),
    /// The server is running but does not answer, or refused to create the database.
    #[error("{0}")]
    Unresponsive(String),
    /// Another process owns the data directory (holds its `owner.lock`).
    #[error(
        "the data directory {data_dir} is in use by {owner}, which runs its embedded \
         PostgreSQL (see {lock_file}). Stop that process first, or give this one another \
         GCM_DATA_DIR (or a DATABASE_URL).",
        owner = match pid {
            Some(pid) => format!("PID {pid}"),
            None => "another process (its PID is not written yet)".to_owned(),
        }
    )]
    InUse {
        data_dir: String,
        pid: Option<u32>,
        lock_file: String,
    },
}

fn io_error(context: impl Into<String>) -> impl FnOnce(io::Error) -> ClusterError {
    move |cause| ClusterError::Io {
        context: context.into(),
        cause,
    }
}

/// A cluster directory under the data directory; `start` creates it on first use.
#[derive(Debug, Clone)]
pub struct EmbeddedCluster {
    data_dir: PathBuf,
    bin_dir: Option<PathBuf>,
}

/// A running cluster; `stop` shuts it down when this process started it.
#[derive(Debug)]
pub struct RunningCluster {
    database_url: String,
    /// Set only when this process started the server: a cluster found running belongs to
    /// whoever started it.
    owned: Option<OwnedServer>,
    /// Held until `stop` (or drop) when this process owns the data directory; `None` when
    /// it joined another owner's cluster.
    owner: Option<OwnerLock>,
}

/// `owner.lock`, locked and holding this process's PID. Dropping it empties the file and
/// releases the lock.
#[derive(Debug)]
struct OwnerLock {
    file: fs::File,
}

impl OwnerLock {
    /// The lock, or else the PID of the process that holds it (when it has written it).
    fn try_acquire(layout: &Layout) -> Result<Result<Self, Option<u32>>, ClusterError> {
        let path = &layout.owner_file;
        let mut file = open_lock_file(path)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => return Ok(Err(owner_pid(path))),
            Err(fs::TryLockError::Error(e)) => {
                return Err(io_error(format!("cannot lock {}", path.display()))(e));
            }
        }
        // Written only once locked, so the owner's PID is never overwritten.
        file.set_len(0)
            .and_then(|()| file.write_all(format!("{}\n", std::process::id()).as_bytes()))
            .and_then(|()| file.sync_data())
            .map_err(io_error(format!("cannot write {}", path.display())))?;
        Ok(Ok(Self { file }))
    }
}

impl Drop for OwnerLock {
    fn drop(&mut self) {
        // The PID of a process that no longer owns the directory would only mislead.
        let _ = self.file.set_len(0);
    }
}

/// The PID in a locked `owner.lock`. Its owner writes it just after locking, so an empty
/// file is read again for a moment.
fn owner_pid(path: &Path) -> Option<u32> {
    for _ in 0..20 {
        if let Some(pid) = fs::read_to_string(path)
            .ok()
            .and_then(|text| text.trim().parse().ok())
        {
            return Some(pid);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

/// What `stop` needs to shut down a server this process started.
#[derive(Debug)]
struct OwnedServer {
    layout: Layout,
    pg_ctl: PathBuf,
    run_as: Option<RunAs>,
}

#[derive(Debug, Clone)]
struct Layout {
    data_dir: PathBuf,
    home: PathBuf,
    pgdata: PathBuf,
    log_file: PathBuf,
    lock_file: PathBuf,
    owner_file: PathBuf,
}

impl Layout {
    fn new(data_dir: &Path) -> Self {
        let home = data_dir.join("postgres");
        Self {
            data_dir: data_dir.to_owned(),
            pgdata: home.join("data"),
            log_file: home.join("server.log"),
            lock_file: data_dir.join("postgres.lock"),
            owner_file: data_dir.join("owner.lock"),
            home,
        }
    }

    fn initdb_dir(&self) -> PathBuf {
        self.home.join("data.initdb")
    }

    fn pid_file(&self) -> PathBuf {
        self.pgdata.join("postmaster.pid")
    }

    /// The major version recorded by initdb, if the cluster exists.
    fn cluster_version(&self) -> Option<String> {
        fs::read_to_string(self.pgdata.join("PG_VERSION"))
            .ok()
            .map(|v| v.trim().to_owned())
    }
}

/// The unprivileged identity PostgreSQL runs under when this process is root.
#[derive(Debug, Clone)]
struct RunAs {
    name: String,
    uid: Uid,
    gid: Gid,
    home: PathBuf,
}

/// A directory holding all of initdb, pg_ctl and postgres.
#[derive(Debug, Clone)]
struct Binaries {
    dir: PathBuf,
}

impl Binaries {
    fn program(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Another program of the same installation: beside `pg_ctl` once links are followed
    /// (a PATH directory may link only the three programs the cluster needs).
    fn companion(&self, name: &str) -> PathBuf {
        let beside = self.program(name);
        if is_executable(&beside) {
            return beside;
        }
        fs::canonicalize(self.program("pg_ctl"))
            .ok()
            .and_then(|pg_ctl| pg_ctl.parent().map(|dir| dir.join(name)))
            .filter(|path| is_executable(path))
            .unwrap_or(beside)
    }
}

impl EmbeddedCluster {
    pub fn new(data_dir: &Path) -> Self {
        Self {
            data_dir: data_dir.to_owned(),
            bin_dir: None,
        }
    }

    /// Uses the PostgreSQL programs in `bin_dir` only, instead of searching PATH and then
    /// `/usr/lib/postgresql/*/bin` (newest version first).
    pub fn with_bin_dir(mut self, bin_dir: Option<PathBuf>) -> Self {
        self.bin_dir = bin_dir;
        self
    }

    /// Takes ownership of the data directory, then creates (first time) and starts (or
    /// reuses a running) cluster and its `gcm` database. Fails with
    /// [`ClusterError::InUse`] when another process owns the directory.
    pub async fn start(&self) -> Result<RunningCluster, ClusterError> {
        let layout = self.layout()?;
        match OwnerLock::try_acquire(&layout)? {
            Ok(owner) => self.start_as_owner(layout, owner).await,
            Err(pid) => Err(in_use(&layout, pid)),
        }
    }

    /// [`start`](Self::start) when the data directory is free; when another process owns
    /// it, waits for the owner's server to accept connections and uses it, leaving it
    /// running (it stays the owner's to stop).
    pub async fn start_or_join(&self) -> Result<RunningCluster, ClusterError> {
        let layout = self.layout()?;
        let deadline = Instant::now() + JOIN_TIMEOUT;
        loop {
            let pid = match OwnerLock::try_acquire(&layout)? {
                Ok(owner) => return self.start_as_owner(layout, owner).await,
                Err(pid) => pid,
            };
            let accepting = match live_server_port(&layout) {
                Some(port) => connect(port, "postgres").await.is_ok().then_some(port),
                None => None,
            };
            if let Some(port) = accepting {
                ensure_database(port).await?;
                info!(
                    owner_pid = pid,
                    port,
                    "the data directory is in use by another process: running on the cluster \
                     it has already running, and leaving that to it to stop"
                );
                return Ok(RunningCluster {
                    database_url: database_url(port),
                    owned: None,
                    owner: None,
                });
            }
            if Instant::now() >= deadline {
                return Err(ClusterError::Unresponsive(format!(
                    "{}; its cluster did not accept connections within {}s",
                    in_use(&layout, pid),
                    JOIN_TIMEOUT.as_secs()
                )));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// The data directory, created if missing, as an absolute path.
    fn layout(&self) -> Result<Layout, ClusterError> {
        fs::create_dir_all(&self.data_dir).map_err(io_error(format!(
            "cannot create the data directory {}",
            self.data_dir.display()
        )))?;
        let data_dir = fs::canonicalize(&self.data_dir).map_err(io_error(format!(
            "cannot resolve the data directory {}",
            self.data_dir.display()
        )))?;
        Ok(Layout::new(&data_dir))
    }

    async fn start_as_owner(
        &self,
        layout: Layout,
        owner: OwnerLock,
    ) -> Result<RunningCluster, ClusterError> {
        let _lock = lock(&layout.lock_file).await?;

        // Look for the programs first: without them, nothing should be created.
        let binaries = find_binaries(self.bin_dir.as_deref(), &layout).await?;
        debug!(bin_dir = %binaries.dir.display(), "PostgreSQL programs");
        let run_as = service_user()?;
        prepare_home(&layout, run_as.as_ref())?;
        info!(cluster = %layout.home.display(), "embedded PostgreSQL cluster");

        if let Some(port) = running_server(&layout)? {
            info!(
                port,
                "reusing the cluster already running (another process started it)"
            );
            wait_until_accepting(port).await?;
            ensure_database(port).await?;
            return Ok(RunningCluster {
                database_url: database_url(port),
                owned: None,
                owner: Some(owner),
            });
        }

        if layout.cluster_version().is_none() {
            initdb(&layout, &binaries, run_as.as_ref()).await?;
        } else {
            info!("starting the existing cluster");
        }
        let port = start_server(&layout, &binaries, run_as.as_ref(), None).await?;
        let owned = OwnedServer {
            layout,
            pg_ctl: binaries.program("pg_ctl"),
            run_as: run_as.clone(),
        };
        if let Err(e) = ensure_database(port).await {
            // Leave nothing running behind a failed start (the lock is still ours).
            if let Err(stop_error) = owned.shut_down().await {
                warn!(error = %stop_error, "could not stop the cluster after a failed start");
            }
            return Err(e);
        }
        Ok(RunningCluster {
            database_url: database_url(port),
            owned: Some(owned),
            owner: Some(owner),
        })
    }
}

impl EmbeddedCluster {
    /// Makes this data directory a streaming standby of `primary`, a cluster this process
    /// started (`pg_basebackup -R` the first time, as the same unprivileged user), and
    /// starts it; a standby stopped before starts again on the port it had. What the tests
    /// of `DATABASE_READ_URLS` run against, and a way to try that setting on one machine.
    pub async fn start_standby_of(
        &self,
        primary: &RunningCluster,
    ) -> Result<RunningCluster, ClusterError> {
        let layout = self.layout()?;
        let owner = match OwnerLock::try_acquire(&layout)? {
            Ok(owner) => owner,
            Err(pid) => return Err(in_use(&layout, pid)),
        };
        let binaries = find_binaries(self.bin_dir.as_deref(), &layout).await?;
        let run_as = service_user()?;
        prepare_home(&layout, run_as.as_ref())?;
        let port_file = layout.home.join("standby.port");
        if layout.cluster_version().is_none() {
            let primary_port = url_port(&primary.database_url).ok_or_else(|| {
                ClusterError::Program(format!("no port in {}", primary.database_url))
            })?;
            let scratch = layout.initdb_dir();
            if scratch.exists() {
                fs::remove_dir_all(&scratch)
                    .map_err(io_error(format!("cannot remove {}", scratch.display())))?;
            }
            info!(cluster = %layout.home.display(), primary_port, "making a standby (pg_basebackup -R)");
            let mut command = pg_command(
                &binaries.companion("pg_basebackup"),
                &layout,
                run_as.as_ref(),
            );
            command
                .arg("-D")
                .arg(&scratch)
                .args(["-h", "127.0.0.1", "-U", SUPERUSER, "-R", "-X", "stream"])
                .args(["-c", "fast", "-p"])
                .arg(primary_port.to_string());
            run_ok(command, "pg_basebackup").await?;
            fs::rename(&scratch, &layout.pgdata).map_err(io_error(format!(
                "cannot move {} to {}",
                scratch.display(),
                layout.pgdata.display()
            )))?;
        }
        let fixed_port = fs::read_to_string(&port_file)
            .ok()
            .and_then(|text| text.trim().parse().ok());
        let port = start_server(&layout, &binaries, run_as.as_ref(), fixed_port).await?;
        fs::write(&port_file, port.to_string())
            .map_err(io_error(format!("cannot write {}", port_file.display())))?;
        wait_until_accepting(port).await?;
        Ok(RunningCluster {
            database_url: database_url(port),
            owned: Some(OwnedServer {
                layout,
                pg_ctl: binaries.program("pg_ctl"),
                run_as,
            }),
            owner: Some(owner),
        })
    }
}

/// The port of a `postgres://…@host:PORT/…` URL.
fn url_port(url: &str) -> Option<u16> {
    let authority = url.split_once("://")?.1.split('/').next()?;
    authority.rsplit_once(':')?.1.parse().ok()
}

/// The PostgreSQL programs [`EmbeddedCluster::start`] would use.
#[derive(Debug, Clone)]
pub struct Programs {
    /// The directory holding initdb, pg_ctl and postgres.
    pub dir: PathBuf,
    /// As `pg_ctl --version` reports it, e.g. `15.10`.
    pub version: String,
}

/// The data directory as [`EmbeddedCluster::inspect_data_dir`] found it.
#[derive(Debug, Clone)]
pub struct DataDirState {
    /// The data directory, made absolute.
    pub path: PathBuf,
    /// Its owner (uid, and the user's name when known), when it exists.
    pub owner: Option<(u32, Option<String>)>,
    /// The major version of the cluster created in it, if one was.
    pub cluster_version: Option<String>,
    /// The user PostgreSQL runs as because this process is root.
    pub run_as: Option<String>,
}

impl EmbeddedCluster {
    /// Finds the programs `start` would use, and their version, with the same search and
    /// the same version rule (an existing cluster needs its own major version). Runs only
    /// `pg_ctl --version`; creates nothing.
    pub async fn find_programs(&self) -> Result<Programs, ClusterError> {
        let layout = Layout::new(&self.data_dir);
        let binaries = find_binaries(self.bin_dir.as_deref(), &layout).await?;
        let version = full_version(&binaries).await?;
        Ok(Programs {
            dir: binaries.dir,
            version,
        })
    }

    /// Checks, changing nothing, what `start` will check or need of the data directory:
    /// as root, that the `postgres` user exists and can enter every directory down to it;
    /// otherwise, that this user can create it or write in it; and that an existing cluster
    /// home belongs to the user PostgreSQL runs as. The error says what to do.
    pub fn inspect_data_dir(&self) -> Result<DataDirState, ClusterError> {
        let path = std::path::absolute(&self.data_dir).map_err(io_error(format!(
            "cannot resolve the data directory {}",
            self.data_dir.display()
        )))?;
        let run_as = service_user()?;
        // The directory itself, or the nearest one above it that `start` would create it in.
        let existing = path
            .ancestors()
            .find(|dir| dir.exists())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("/"));
        let existing = fs::canonicalize(&existing)
            .map_err(io_error(format!("cannot resolve {}", existing.display())))?;
        match run_as.as_ref() {
            Some(user) => check_traversable(&existing, user)?,
            None => check_writable(&existing, path.exists())?,
        }
        let owner = match fs::metadata(&path) {
            Ok(meta) => {
                let name = User::from_uid(Uid::from_raw(meta.uid()))
                    .ok()
                    .flatten()
                    .map(|user| user.name);
                Some((meta.uid(), name))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(io_error(format!("cannot inspect {}", path.display()))(e)),
        };
        let layout = Layout::new(&path);
        if layout.home.exists() {
            check_home_owner(&layout.home, run_as.as_ref())?;
        }
        Ok(DataDirState {
            cluster_version: layout.cluster_version(),
            run_as: run_as.map(|user| user.name),
            owner,
            path,
        })
    }
}

/// This (unprivileged) process must be able to write in `dir`: the data directory when it
/// exists (`start` creates its lock file and the cluster's home there), else the directory
/// it would be created in.
fn check_writable(dir: &Path, is_data_dir: bool) -> Result<(), ClusterError> {
    let meta = fs::metadata(dir).map_err(io_error(format!("cannot inspect {}", dir.display())))?;
    let uid = Uid::effective();
    let mut groups = nix::unistd::getgroups().unwrap_or_default();
    groups.push(nix::unistd::getegid());
    if permits(&meta, uid, &groups, 0o3) {
        return Ok(());
    }
    let why = if is_data_dir {
        "the data directory, where gcm-catalogue keeps its lock file and the cluster"
    } else {
        "where the data directory would be created"
    };
    Err(ClusterError::Permissions(format!(
        "you (uid {uid}) cannot write in {dir} (mode {mode:o}, owner uid {owner}), {why}. \
         Choose another GCM_DATA_DIR, or run gcm-catalogue as a user who can write there.",
        dir = dir.display(),
        mode = meta.mode() & 0o7777,
        owner = meta.uid(),
    )))
}

fn in_use(layout: &Layout, pid: Option<u32>) -> ClusterError {
    ClusterError::InUse {
        data_dir: layout.data_dir.display().to_string(),
        pid,
        lock_file: layout.owner_file.display().to_string(),
    }
}

impl RunningCluster {
    pub fn database_url(&self) -> &str {
        &self.database_url
    }

    /// True when this process started the server (and `stop` will shut it down).
    pub fn started_here(&self) -> bool {
        self.owned.is_some()
    }

    /// Stops the cluster if this process started it (fast shutdown: sessions are ended),
    /// then gives up the data directory.
    pub async fn stop(self) -> Result<(), ClusterError> {
        let Some(owned) = self.owned else {
            debug!("leaving the cluster running: another process started it");
            return Ok(());
        };
        let _lock = lock(&owned.layout.lock_file).await?;
        let stopped = owned.shut_down().await;
        drop(self.owner);
        stopped
    }
}

impl OwnedServer {
    /// `pg_ctl stop -m fast`; the caller holds the lock.
    async fn shut_down(&self) -> Result<(), ClusterError> {
        let layout = &self.layout;
        if !layout.pid_file().exists() {
            warn!("the cluster had already stopped");
            return Ok(());
        }
        let mut command = pg_command(&self.pg_ctl, layout, self.run_as.as_ref());
        command.arg("stop").arg("-D").arg(&layout.pgdata).args([
            "-m",
            "fast",
            "-w",
            "-t",
            PG_CTL_TIMEOUT_SECS,
            "-s",
        ]);
        run_ok(command, "pg_ctl stop").await?;
        info!(cluster = %layout.home.display(), "embedded PostgreSQL stopped");
        Ok(())
    }
}

fn database_url(port: u16) -> String {
    format!("postgres://{SUPERUSER}@127.0.0.1:{port}/{DATABASE_NAME}")
}

/// A lock file, created if missing, its content kept (the owner's PID is read from it).
fn open_lock_file(path: &Path) -> Result<fs::File, ClusterError> {
    fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(path)
        .map_err(io_error(format!(
            "cannot open the lock file {}",
            path.display()
        )))
}

/// Holds an exclusive lock on `path` until the returned file is dropped.
async fn lock(path: &Path) -> Result<fs::File, ClusterError> {
    let file = open_lock_file(path)?;
    match file.try_lock() {
        Ok(()) => return Ok(file),
        Err(fs::TryLockError::WouldBlock) => {
            info!(
                "waiting for another gcm-catalogue process to finish starting or stopping the cluster"
            );
        }
        Err(fs::TryLockError::Error(e)) => {
            return Err(io_error(format!("cannot lock {}", path.display()))(e));
        }
    }
    let context = format!("cannot lock {}", path.display());
    tokio::task::spawn_blocking(move || file.lock().map(|()| file))
        .await
        .map_err(|e| io_error(context.clone())(io::Error::other(e)))?
        .map_err(io_error(context))
}

/// Root must hand the cluster to the `postgres` user: initdb and postgres refuse root.
fn service_user() -> Result<Option<RunAs>, ClusterError> {
    if !Uid::effective().is_root() {
        return Ok(None);
    }
    let user = User::from_name(SERVICE_USER)
        .map_err(|e| {
            ClusterError::Permissions(format!("cannot look up the `{SERVICE_USER}` user: {e}"))
        })?
        .ok_or_else(|| {
            ClusterError::Permissions(format!(
                "running as root, and PostgreSQL refuses to run as root: the embedded cluster \
                 runs as the `{SERVICE_USER}` user, which does not exist here. Install \
                 PostgreSQL's server package (it creates that user), run gcm-catalogue as an \
                 unprivileged user, or set DATABASE_URL."
            ))
        })?;
    Ok(Some(RunAs {
        name: user.name,
        uid: user.uid,
        gid: user.gid,
        home: user.dir,
    }))
}

/// Creates the cluster's home, owned by whoever PostgreSQL runs as, and checks that
/// PostgreSQL can reach it.
fn prepare_home(layout: &Layout, run_as: Option<&RunAs>) -> Result<(), ClusterError> {
    if let Some(user) = run_as {
        check_traversable(&layout.data_dir, user)?;
    }
    let home = &layout.home;
    if !home.exists() {
        fs::DirBuilder::new()
            .mode(0o700)
            .create(home)
            .map_err(io_error(format!("cannot create {}", home.display())))?;
        if let Some(user) = run_as {
            std::os::unix::fs::chown(home, Some(user.uid.as_raw()), Some(user.gid.as_raw()))
                .map_err(io_error(format!(
                    "cannot give {} to the `{}` user",
                    home.display(),
                    user.name
                )))?;
        }
    }
    check_home_owner(home, run_as)
}

/// The cluster's home must belong to the user PostgreSQL runs as.
fn check_home_owner(home: &Path, run_as: Option<&RunAs>) -> Result<(), ClusterError> {
    let owner = fs::metadata(home)
        .map_err(io_error(format!("cannot inspect {}", home.display())))?
        .uid();
    let (expected_uid, who) = match run_as {
        Some(user) => (
            user.uid,
            format!("the `{}` user (uid {})", user.name, user.uid),
        ),
        None => (Uid::effective(), format!("you (uid {})", Uid::effective())),
    };
    if owner != expected_uid.as_raw() {
        return Err(ClusterError::Permissions(format!(
            "{} belongs to uid {owner}, but PostgreSQL would run as {who} and must own it. \
             Run gcm-catalogue as its owner, `chown -R {} {}`, or choose another GCM_DATA_DIR.",
            home.display(),
            expected_uid,
            home.display()
        )));
    }
    Ok(())
}

/// PostgreSQL, running as `user`, must be able to enter every directory above its home.
fn check_traversable(data_dir: &Path, user: &RunAs) -> Result<(), ClusterError> {
    let groups = CString::new(user.name.as_str())
        .ok()
        .and_then(|name| getgrouplist(&name, user.gid).ok())
        .unwrap_or_else(|| vec![user.gid]);
    for dir in data_dir.ancestors() {
        let meta =
            fs::metadata(dir).map_err(io_error(format!("cannot inspect {}", dir.display())))?;
        let mode = meta.mode();
        if !permits(&meta, user.uid, &groups, 0o1) {
            return Err(ClusterError::Permissions(format!(
                "the `{name}` user cannot enter {dir} (mode {mode:o}, owner uid {owner}), so \
                 PostgreSQL, which runs as that user because this process is root, cannot reach \
                 its cluster under {data}. Choose a GCM_DATA_DIR it can reach (for example under \
                 /var/lib or /tmp), or allow it in: chmod o+x {dir}",
                name = user.name,
                dir = dir.display(),
                mode = mode & 0o7777,
                owner = meta.uid(),
                data = data_dir.display(),
            )));
        }
    }
    Ok(())
}

/// Whether the user `uid`, member of `groups`, has all of `bits` (0o1 enter, 0o2 write,
/// 0o4 read) on the file `meta` describes, by its owner, group and other permissions.
fn permits(meta: &fs::Metadata, uid: Uid, groups: &[Gid], bits: u32) -> bool {
    let mode = meta.mode();
    let shift = if meta.uid() == uid.as_raw() {
        6
    } else if groups.iter().any(|g| g.as_raw() == meta.gid()) {
        3
    } else {
        0
    };
    (mode >> shift) & bits == bits
}

/// Searches GCM_PG_BIN_DIR alone when given; otherwise PATH, then Debian's versioned
/// directories, newest first. With an existing cluster, only its major version will do.
async fn find_binaries(bin_dir: Option<&Path>, layout: &Layout) -> Result<Binaries, ClusterError> {
    let mut searched = Vec::new();
    let candidates: Vec<PathBuf> = match bin_dir {
        Some(dir) => {
            searched.push(format!("  GCM_PG_BIN_DIR: {}", dir.display()));
            vec![dir.to_owned()]
        }
        None => {
            let path_dirs = path_dirs();
            let debian_dirs = debian_bin_dirs();
            searched.push(format!("  PATH: {}", display_dirs(&path_dirs)));
            searched.push(format!(
                "  {DEBIAN_BIN_GLOB}: {}",
                display_dirs(&debian_dirs)
            ));
            path_dirs.into_iter().chain(debian_dirs).collect()
        }
    };
    let complete: Vec<Binaries> = candidates
        .into_iter()
        .filter(|dir| {
            REQUIRED_PROGRAMS
                .iter()
                .all(|p| is_executable(&dir.join(p)))
        })
        .map(|dir| Binaries { dir })
        .collect();
    let Some(first) = complete.first().cloned() else {
        return Err(ClusterError::BinariesNotFound {
            searched: searched.join("\n"),
        });
    };
    let Some(wanted) = layout.cluster_version() else {
        return Ok(first);
    };
    let mut found = Vec::new();
    for binaries in complete {
        let version = major_version(&binaries).await?;
        if version == wanted {
            return Ok(binaries);
        }
        found.push(format!("{version} ({})", binaries.dir.display()));
    }
    Err(ClusterError::VersionMismatch {
        cluster: layout.home.display().to_string(),
        cluster_version: wanted,
        found: found.join(", "),
    })
}

/// Where PostgreSQL's programs are looked for when no directory is given (GCM_PG_BIN_DIR):
/// every directory on `PATH`, then `/usr/lib/postgresql/<major>/bin`, newest major first
/// (Debian and Ubuntu keep the server programs off `PATH`).
pub fn search_dirs() -> Vec<PathBuf> {
    path_dirs().into_iter().chain(debian_bin_dirs()).collect()
}

/// The first executable `name` (`pg_ctl`, `pg_dump`, …) in [`search_dirs`]' order: the
/// one discovery of PostgreSQL programs, for the embedded cluster and the tests alike.
pub fn find_program(name: &str) -> Option<PathBuf> {
    search_dirs()
        .into_iter()
        .map(|dir| dir.join(name))
        .find(|program| is_executable(program))
}

fn path_dirs() -> Vec<PathBuf> {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default()
}

fn display_dirs(dirs: &[PathBuf]) -> String {
    if dirs.is_empty() {
        return "(none)".to_owned();
    }
    dirs.iter()
        .map(|d| d.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `/usr/lib/postgresql/<major>/bin`, newest major first.
fn debian_bin_dirs() -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir("/usr/lib/postgresql") else {
        return Vec::new();
    };
    let mut versions: Vec<(u32, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let major = e.file_name().to_str()?.parse::<u32>().ok()?;
            Some((major, e.path().join("bin")))
        })
        .filter(|(_, dir)| dir.is_dir())
        .collect();
    versions.sort_by_key(|(major, _)| std::cmp::Reverse(*major));
    versions.into_iter().map(|(_, dir)| dir).collect()
}

fn is_executable(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| m.is_file() && m.mode() & 0o111 != 0)
}

/// The major version as PG_VERSION spells it ("15"), from `pg_ctl --version`.
async fn major_version(binaries: &Binaries) -> Result<String, ClusterError> {
    let version = full_version(binaries).await?;
    Ok(version.split('.').next().unwrap_or(&version).to_owned())
}

/// The version `pg_ctl --version` prints: "pg_ctl (PostgreSQL) 15.10 (Debian 15.10-1)" → "15.10".
async fn full_version(binaries: &Binaries) -> Result<String, ClusterError> {
    let mut command = Command::new(binaries.program("pg_ctl"));
    command.arg("--version");
    let output = run(command, "pg_ctl --version").await?;
    let text = String::from_utf8_lossy(&output.stdout);
    text.split_once("(PostgreSQL)")
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .map(str::to_owned)
        .ok_or_else(|| ClusterError::Program(format!("unexpected `pg_ctl --version`: {text}")))
}

/// A command for a PostgreSQL program, as the user the cluster belongs to.
fn pg_command(program: &Path, layout: &Layout, run_as: Option<&RunAs>) -> Command {
    let mut command = Command::new(program);
    // The caller's working directory may be closed to the postgres user (initdb checks it).
    command
        .current_dir(&layout.home)
        .stdin(Stdio::null())
        .kill_on_drop(false);
    for var in [
        "PGDATA",
        "PGPORT",
        "PGHOST",
        "PGUSER",
        "PGDATABASE",
        "PGOPTIONS",
    ] {
        command.env_remove(var);
    }
    if let Some(user) = run_as {
        command
            .uid(user.uid.as_raw())
            .gid(user.gid.as_raw())
            .env("HOME", &user.home)
            .env("USER", &user.name)
            .env("LOGNAME", &user.name);
    }
    command
}

async fn run(mut command: Command, what: &str) -> Result<Output, ClusterError> {
    command
        .output()
        .await
        .map_err(io_error(format!("cannot run {what}")))
}

/// [`run`], and an error with what the program said unless it succeeded.
async fn run_ok(command: Command, what: &str) -> Result<Output, ClusterError> {
    let output = run(command, what).await?;
    if !output.status.success() {
        return Err(ClusterError::Program(format!(
            "{what} failed ({}): {}",
            output.status,
            output_text(&output)
        )));
    }
    Ok(output)
}

fn output_text(output: &Output) -> String {
    let mut text = String::from_utf8_lossy(&output.stderr).trim().to_owned();
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !stdout.trim().is_empty() {
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(stdout.trim());
    }
    text
}

/// Creates the cluster in a scratch directory and renames it into place only when complete,
/// so an interrupted first start never leaves a half-made cluster that looks whole.
async fn initdb(
    layout: &Layout,
    binaries: &Binaries,
    run_as: Option<&RunAs>,
) -> Result<(), ClusterError> {
    let scratch = layout.initdb_dir();
    if scratch.exists() {
        warn!(dir = %scratch.display(), "removing the remains of an interrupted initdb");
        fs::remove_dir_all(&scratch)
            .map_err(io_error(format!("cannot remove {}", scratch.display())))?;
    }
    info!(cluster = %layout.home.display(), "creating the embedded PostgreSQL cluster (initdb)");
    let mut output = run_initdb(layout, binaries, run_as, "C.UTF-8").await?;
    if !output.status.success() && output_text(&output).contains("locale") {
        warn!("locale C.UTF-8 is not available; creating the cluster with locale C");
        if scratch.exists() {
            fs::remove_dir_all(&scratch)
                .map_err(io_error(format!("cannot remove {}", scratch.display())))?;
        }
        output = run_initdb(layout, binaries, run_as, "C").await?;
    }
    if !output.status.success() {
        return Err(ClusterError::Program(format!(
            "initdb failed ({}):\n{}",
            output.status,
            output_text(&output)
        )));
    }
    let conf = scratch.join("postgresql.conf");
    let mut file = fs::OpenOptions::new()
        .append(true)
        .open(&conf)
        .map_err(io_error(format!("cannot open {}", conf.display())))?;
    file.write_all(
        b"\n# Added by gcm-catalogue: a private cluster, reached over TCP on the loopback\n\
          # interface only; the port is chosen at each start (pg_ctl start -o \"-p PORT\").\n\
          listen_addresses = '127.0.0.1'\n\
          unix_socket_directories = ''\n",
    )
    .map_err(io_error(format!("cannot write {}", conf.display())))?;
    fs::rename(&scratch, &layout.pgdata).map_err(io_error(format!(
        "cannot move {} to {}",
        scratch.display(),
        layout.pgdata.display()
    )))?;
    Ok(())
}

async fn run_initdb(
    layout: &Layout,
    binaries: &Binaries,
    run_as: Option<&RunAs>,
    locale: &str,
) -> Result<Output, ClusterError> {
    let mut command = pg_command(&binaries.program("initdb"), layout, run_as);
    command
        .arg("-D")
        .arg(layout.initdb_dir())
        .args(["-U", SUPERUSER, "--auth=trust", "-E", "UTF8"])
        .arg(format!("--locale={locale}"));
    run(command, "initdb").await
}

/// The port of a server already running on this cluster; removes a stale postmaster.pid.
fn running_server(layout: &Layout) -> Result<Option<u16>, ClusterError> {
    let pid_file = layout.pid_file();
    let text = match fs::read_to_string(&pid_file) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error(format!("cannot read {}", pid_file.display()))(e)),
    };
    // Line 1: the postmaster's pid; line 4: its port (see PostgreSQL's pidfile.h).
    let mut lines = text.lines();
    let pid = lines.next().and_then(|l| l.trim().parse::<i32>().ok());
    let port = lines.nth(2).and_then(|l| l.trim().parse::<u16>().ok());
    match (pid, port) {
        (Some(pid), Some(port)) if is_live_postmaster(pid, &layout.pgdata) => Ok(Some(port)),
        (Some(pid), _) if is_live_postmaster(pid, &layout.pgdata) => {
            Err(ClusterError::Unresponsive(format!(
                "{} names the running process {pid} but no port; if no PostgreSQL is running on \
             this cluster, remove that file",
                pid_file.display()
            )))
        }
        _ => {
            warn!(file = %pid_file.display(), "removing a stale postmaster.pid (its server is gone)");
            fs::remove_file(&pid_file)
                .map_err(io_error(format!("cannot remove {}", pid_file.display())))?;
            Ok(None)
        }
    }
}

/// The port of this cluster's live server, if its postmaster.pid names one; reads only (the
/// server may belong to another process, which may be starting it right now).
fn live_server_port(layout: &Layout) -> Option<u16> {
    let text = fs::read_to_string(layout.pid_file()).ok()?;
    let mut lines = text.lines();
    let pid = lines.next()?.trim().parse::<i32>().ok()?;
    let port = lines.nth(2)?.trim().parse::<u16>().ok()?;
    is_live_postmaster(pid, &layout.pgdata).then_some(port)
}

/// A live process that is this cluster's server. A pid in a stale file may have been reused
/// after a crash or a reboot (in a container, even by this very process); a postmaster's
/// working directory is its data directory, which tells them apart.
fn is_live_postmaster(pid: i32, pgdata: &Path) -> bool {
    if pid <= 0 || u32::try_from(pid).is_ok_and(|pid| pid == std::process::id()) {
        return false;
    }
    match kill(Pid::from_raw(pid), None) {
        Ok(()) | Err(Errno::EPERM) => {}
        Err(_) => return false,
    }
    match fs::read_link(format!("/proc/{pid}/cwd")) {
        Ok(cwd) => fs::canonicalize(pgdata).is_ok_and(|pgdata| cwd == pgdata),
        // No procfs (not Linux): trust the pid. With procfs, an unreadable cwd is another
        // user's process, and PostgreSQL runs as the user this process would run it as.
        Err(_) => !Path::new("/proc/self").exists(),
    }
}

fn free_port() -> Result<u16, ClusterError> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .map_err(io_error("cannot find a free port on 127.0.0.1"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(io_error("cannot find a free port on 127.0.0.1"))
}

async fn start_server(
    layout: &Layout,
    binaries: &Binaries,
    run_as: Option<&RunAs>,
    fixed_port: Option<u16>,
) -> Result<u16, ClusterError> {
    let mut last_error = String::new();
    for attempt in 1..=START_ATTEMPTS {
        let port = match fixed_port {
            Some(port) => port,
            None => free_port()?,
        };
        let log_start = fs::metadata(&layout.log_file).map(|m| m.len()).unwrap_or(0);
        // pg_ctl puts the server in a session of its own, so a Ctrl-C at the terminal reaches
        // only this process, which then stops the server in order.
        let mut command = pg_command(&binaries.program("pg_ctl"), layout, run_as);
        command
            .arg("start")
            .arg("-D")
            .arg(&layout.pgdata)
            .arg("-l")
            .arg(&layout.log_file)
            .args(["-w", "-t", PG_CTL_TIMEOUT_SECS, "-s", "-o"])
            .arg(format!("-p {port}"));
        let output = run(command, "pg_ctl start").await?;
        if output.status.success() {
            info!(port, "embedded PostgreSQL started");
            return Ok(port);
        }
        let log = read_from(&layout.log_file, log_start);
        last_error = format!(
            "pg_ctl start failed ({}): {}\nserver log ({}):\n{}",
            output.status,
            output_text(&output),
            layout.log_file.display(),
            log.trim()
        );
        let port_taken =
            log.contains("could not bind") || log.contains("could not create any TCP/IP sockets");
        if !port_taken || fixed_port.is_some() {
            break;
        }
        warn!(
            port,
            attempt, "the chosen port was taken meanwhile; trying another"
        );
    }
    Err(ClusterError::Program(last_error))
}

/// What the log gained since `offset` (the lines about this start attempt).
fn read_from(path: &Path, offset: u64) -> String {
    let Ok(bytes) = fs::read(path) else {
        return String::new();
    };
    let start = usize::try_from(offset).unwrap_or(0).min(bytes.len());
    String::from_utf8_lossy(&bytes[start..]).into_owned()
}

async fn connect(
    port: u16,
    database: &str,
) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    let (client, connection) = tokio_postgres::connect(
        &format!("host=127.0.0.1 port={port} user={SUPERUSER} dbname={database} connect_timeout=5"),
        tokio_postgres::NoTls,
    )
    .await?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            debug!(error = %e, "embedded cluster admin connection closed");
        }
    });
    Ok(client)
}

async fn wait_until_accepting(port: u16) -> Result<(), ClusterError> {
    let deadline = Instant::now() + REUSE_TIMEOUT;
    loop {
        match connect(port, "postgres").await {
            Ok(_) => return Ok(()),
            Err(e) if Instant::now() >= deadline => {
                return Err(ClusterError::Unresponsive(format!(
                    "the embedded cluster is running but does not accept connections on \
                     127.0.0.1:{port} after {}s: {e}",
                    REUSE_TIMEOUT.as_secs()
                )));
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

async fn ensure_database(port: u16) -> Result<(), ClusterError> {
    let unresponsive = |e: tokio_postgres::Error| {
        ClusterError::Unresponsive(format!("embedded cluster on port {port}: {e}"))
    };
    let client = connect(port, "postgres").await.map_err(unresponsive)?;
    let exists = client
        .query_opt(
            "SELECT 1 FROM pg_database WHERE datname = $1",
            &[&DATABASE_NAME],
        )
        .await
        .map_err(unresponsive)?
        .is_some();
    if !exists {
        match client
            .batch_execute(&format!("CREATE DATABASE {DATABASE_NAME}"))
            .await
        {
            Ok(()) => info!(database = DATABASE_NAME, "created the database"),
            // Created meanwhile by a process that does not share our lock (e.g. by hand).
            Err(e) if e.code() == Some(&tokio_postgres::error::SqlState::DUPLICATE_DATABASE) => {}
            Err(e) => return Err(unresponsive(e)),
        }
    }
    Ok(())
}

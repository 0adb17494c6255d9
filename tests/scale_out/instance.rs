//! One Latchkey server process on a free loopback port, stopped (SIGKILL)
//! when dropped, and a small cookie-keeping HTTP client for it.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use reqwest::{header, redirect, StatusCode};
use tokio::process::{Child, Command};

/// A free port on 127.0.0.1 (released before the server binds it).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The environment of one instance.
#[derive(Clone, Debug)]
pub struct Settings {
    pub mode: &'static str,
    pub database_url: String,
    pub redis_url: String,
    pub redis_prefix: String,
    /// `LATCHKEY_REDIS_CLUSTER`: `redis_url` lists the nodes of a cluster.
    pub redis_cluster: bool,
    /// `LATCHKEY_SESSION_STORE`.
    pub session_store: &'static str,
    /// Shared by the instances: JWT mode keeps its signing key there.
    pub data_dir: std::path::PathBuf,
    /// `LATCHKEY_JWT_ALG`.
    pub jwt_alg: &'static str,
    /// When set, the server logs JSON lines at `info` into this file;
    /// otherwise only errors, to the test's stderr.
    pub json_log: Option<std::path::PathBuf>,
}

/// The `latchkey` binary with the environment of `settings` and nothing
/// else: for a server, or for an admin command against the same stores.
pub fn command(settings: &Settings) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_latchkey"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("LATCHKEY_AUTH_MODE", settings.mode)
        .env("DATABASE_URL", &settings.database_url)
        .env("LATCHKEY_SESSION_STORE", settings.session_store)
        .env("REDIS_URL", &settings.redis_url)
        .env("LATCHKEY_REDIS_PREFIX", &settings.redis_prefix)
        .env("LATCHKEY_REDIS_CLUSTER", settings.redis_cluster.to_string())
        .env("LATCHKEY_DATA_DIR", &settings.data_dir)
        // Instances behind one load balancer are one issuer.
        .env("LATCHKEY_ISSUER", "http://latchkey.test")
        .env("LATCHKEY_REFRESH_GRACE", "2s")
        // The suites' API clients sign in by the password grant (off by
        // default).
        .env("LATCHKEY_PASSWORD_GRANT", "true")
        .env("LATCHKEY_JWT_ALG", settings.jwt_alg)
        .env("LEPTOS_SITE_ROOT", settings.data_dir.join("site"))
        .stdin(Stdio::null())
        .kill_on_drop(true);
    cmd
}

pub struct Instance {
    pub port: u16,
    pub base: String,
    child: Child,
}

impl Instance {
    /// Starts the server and waits until `/healthz` answers.
    pub async fn start(settings: &Settings, port: u16) -> Self {
        Self::start_with(settings, port, &[]).await
    }

    /// [`Instance::start`] with `extra` variables set.
    pub async fn start_with(settings: &Settings, port: u16, extra: &[(&str, &str)]) -> Self {
        let mut cmd = command(settings);
        cmd.envs(extra.iter().copied());
        cmd.env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .stdout(Stdio::null());
        match &settings.json_log {
            Some(path) => {
                let file = std::fs::File::create(path).expect("log file");
                cmd.env("LATCHKEY_LOG_FORMAT", "json")
                    .env("RUST_LOG", "info")
                    .stderr(file)
            }
            None => cmd.env("RUST_LOG", "error"),
        };
        let child = cmd.spawn().expect("start latchkey");
        let instance = Instance {
            port,
            base: format!("http://127.0.0.1:{port}"),
            child,
        };
        instance.wait_healthy().await;
        instance
    }

    async fn wait_healthy(&self) {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(r) = client.get(format!("{}/healthz", self.base)).send().await {
                if r.status() == StatusCode::OK {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("instance on port {} did not become healthy", self.port);
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// SIGKILL: no shutdown handler runs.
    pub async fn kill(mut self) {
        self.child.kill().await.unwrap();
    }
}

/// An HTTP client that keeps Latchkey's cookies, like a browser, and can
/// send them to any instance (they share a site).
#[derive(Clone, Debug, Default)]
pub struct Browser {
    pub cookies: BTreeMap<String, String>,
}

pub struct Reply {
    pub status: StatusCode,
    /// The `Retry-After` header, if any (a 503 must carry one).
    pub retry_after: Option<String>,
    pub body: String,
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

impl Browser {
    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep(&mut self, headers: &header::HeaderMap) {
        for v in headers.get_all(header::SET_COOKIE) {
            let Some((name, value)) = v
                .to_str()
                .ok()
                .and_then(|c| c.split(';').next())
                .and_then(|p| p.split_once('='))
            else {
                continue;
            };
            if value.is_empty() {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_string(), value.to_string());
            }
        }
    }

    async fn finish(&mut self, r: reqwest::Response) -> Reply {
        let status = r.status();
        let headers = r.headers().clone();
        self.keep(&headers);
        let retry_after = headers.get(header::RETRY_AFTER);
        let retry_after = retry_after
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = r.text().await.unwrap_or_default();
        Reply {
            status,
            retry_after,
            body,
        }
    }

    pub async fn get(
        &mut self,
        http: &reqwest::Client,
        url: &str,
    ) -> Result<Reply, reqwest::Error> {
        let r = http
            .get(url)
            .header(header::COOKIE, self.cookie_header())
            .header(header::ACCEPT, "text/html")
            .send()
            .await?;
        Ok(self.finish(r).await)
    }

    /// A plain HTML form post, as with JavaScript off (an error comes back
    /// as a redirect to the form, which shows it).
    pub async fn post_form(
        &mut self,
        http: &reqwest::Client,
        url: &str,
        form: &[(&str, &str)],
    ) -> Result<Reply, reqwest::Error> {
        self.post_accepting(http, url, form, "text/html").await
    }

    /// The same post as the page's script sends it (an error comes back as
    /// its status).
    pub async fn post_from_script(
        &mut self,
        http: &reqwest::Client,
        url: &str,
        form: &[(&str, &str)],
    ) -> Result<Reply, reqwest::Error> {
        self.post_accepting(http, url, form, "application/json")
            .await
    }

    async fn post_accepting(
        &mut self,
        http: &reqwest::Client,
        url: &str,
        form: &[(&str, &str)],
        accept: &str,
    ) -> Result<Reply, reqwest::Error> {
        let r = http
            .post(url)
            .header(header::COOKIE, self.cookie_header())
            .header(header::ACCEPT, accept)
            .form(form)
            .send()
            .await?;
        Ok(self.finish(r).await)
    }
}

/// A fresh directory under the system temp dir, removed with the guard.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "latchkey-{tag}-{}-{}",
            std::process::id(),
            server::auth::token::new_id()
        ));
        // The server refuses a data directory that others can read.
        std::os::unix::fs::DirBuilderExt::mode(&mut std::fs::DirBuilder::new(), 0o700)
            .create(&dir)
            .unwrap();
        std::fs::create_dir(dir.join("site")).unwrap();
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.0).ok();
    }
}

//! Password hashing with argon2id (m = 19456 KiB, t = 2, p = 1, OWASP's
//! recommendation).
//!
//! Each hash costs about 11 ms of one core, so it never runs on an async
//! worker: a small pool of dedicated threads, one per core, does the hashing,
//! and a semaphore of the same size bounds how many hashes are in flight, so a
//! burst of sign-ins queues instead of growing. The hashing threads run at a
//! lower scheduling priority ([`HASH_NICE`]): when the server is busy, page
//! requests get the CPU first and a sign-in storm slows sign-ins, not every
//! other page; when it is idle, hashing still gets all of it. Tokio's blocking
//! pool is shared with other blocking work and cannot be given a priority of
//! its own, hence the own threads. An unknown user still costs one
//! verification against a dummy hash, so response time does not tell whether a
//! username exists.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher as _, SaltString};
use argon2::{Algorithm, Argon2, Params, PasswordVerifier as _, Version};
use tokio::sync::{oneshot, Semaphore};

use crate::{Error, Result};

/// How much lower than the rest of the process the hashing threads run (the
/// Unix nice increment): with 10, a hashing thread gets about a tenth of a
/// core that page requests also want (scheduler weights 110 : 1024).
pub const HASH_NICE: i32 = 10;

/// Hashes and verifies passwords off the async workers.
#[derive(Clone)]
pub struct Hasher {
    inner: Arc<Inner>,
}

struct Inner {
    argon: Argon2<'static>,
    permits: Semaphore,
    /// Requests waiting for a permit: the queue an operator watches.
    waiting: AtomicUsize,
    dummy_hash: String,
    /// Work for the hashing threads; they stop when this is dropped.
    jobs: mpsc::Sender<Job>,
    /// The threads' end of the queue, alive while any of them runs.
    #[cfg(test)]
    queue: std::sync::Weak<Mutex<mpsc::Receiver<Job>>>,
}

type Job = Box<dyn FnOnce() + Send>;

impl std::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hasher").finish_non_exhaustive()
    }
}

impl Hasher {
    /// A hasher with the production parameters, allowing one hash per core.
    pub fn new() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self::with_params(
            Params::new(19_456, 2, 1, None).expect("valid argon2 parameters"),
            cores,
        )
    }

    /// A hasher with explicit parameters and concurrency (the number of
    /// hashing threads).
    pub fn with_params(params: Params, concurrency: usize) -> Self {
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let salt = SaltString::generate(&mut OsRng);
        let dummy_hash = argon
            .hash_password(b"latchkey dummy password", &salt)
            .expect("hashing the dummy password")
            .to_string();
        let concurrency = concurrency.max(1);
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for _ in 0..concurrency {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name("latchkey-hash".into())
                .spawn(move || hashing_thread(&queue))
                .expect("starting a password hashing thread");
        }
        Hasher {
            inner: Arc::new(Inner {
                argon,
                permits: Semaphore::new(concurrency),
                waiting: AtomicUsize::new(0),
                dummy_hash,
                jobs,
                #[cfg(test)]
                queue: Arc::downgrade(&queue),
            }),
        }
    }

    /// How many hashes and verifications wait for a free hashing thread.
    pub fn queued(&self) -> usize {
        self.inner.waiting.load(Ordering::Relaxed)
    }

    /// Hashes a new password into a PHC string.
    pub async fn hash(&self, password: String) -> Result<String> {
        self.run(move |inner| {
            let salt = SaltString::generate(&mut OsRng);
            inner
                .argon
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| Error::Internal(format!("hashing failed: {e}")))
        })
        .await
    }

    /// Checks `password` against `stored`; with `None` (unknown user) it checks
    /// against the dummy hash and returns `false`, at the same cost.
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<bool> {
        self.run(move |inner| {
            let known = stored.is_some();
            let phc = stored.as_deref().unwrap_or(&inner.dummy_hash);
            let parsed = PasswordHash::new(phc)
                .map_err(|e| Error::Internal(format!("stored hash unreadable: {e}")))?;
            let matches = inner
                .argon
                .verify_password(password.as_bytes(), &parsed)
                .is_ok();
            Ok(known && matches)
        })
        .await
    }

    /// Runs `work` on a hashing thread once a permit is free.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Inner) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let permit = {
            let _queued = Queued::join(&self.inner.waiting);
            self.inner.permits.acquire().await
        };
        let _permit = permit.map_err(|_| Error::Internal("hasher closed".into()))?;
        let inner = self.inner.clone();
        let (done, result) = oneshot::channel();
        let job: Job = Box::new(move || {
            // The caller may have gone (request cancelled): nothing to tell.
            let _ = done.send(work(&inner));
        });
        self.inner
            .jobs
            .send(job)
            .map_err(|_| Error::Internal("the password hashing threads stopped".into()))?;
        result
            .await
            .map_err(|_| Error::Internal("a password hashing job was lost".into()))?
    }
}

/// One hashing thread: lowers its own priority, then runs jobs until the
/// hasher is dropped.
fn hashing_thread(queue: &Mutex<mpsc::Receiver<Job>>) {
    // Linux keeps the nice value per thread: this leaves the rest of the
    // process as it is.
    let me = rustix::thread::gettid();
    let nice = rustix::process::getpriority_process(Some(me)).unwrap_or(0);
    if let Err(e) = rustix::process::setpriority_process(Some(me), nice + HASH_NICE) {
        tracing::warn!(error = %e, "could not lower the password hashing priority");
    }
    loop {
        let job = queue.lock().unwrap_or_else(|e| e.into_inner()).recv();
        match job {
            Ok(job) => job(),
            Err(mpsc::RecvError) => return,
        }
    }
}

impl Default for Hasher {
    fn default() -> Self {
        Self::new()
    }
}

/// A place in the hashing queue, left when dropped (also when the waiting
/// request is cancelled).
struct Queued<'a>(&'a AtomicUsize);

impl<'a> Queued<'a> {
    fn join(count: &'a AtomicUsize) -> Self {
        count.fetch_add(1, Ordering::Relaxed);
        Queued(count)
    }
}

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_uses_owasp_argon2id_parameters() {
        let h = Hasher::new();
        let phc = h.hash("correct horse".into()).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
    }

    #[tokio::test]
    async fn verify_accepts_only_the_right_password() {
        let h = Hasher::new();
        let phc = h.hash("correct horse".into()).await.unwrap();
        assert!(h
            .verify("correct horse".into(), Some(phc.clone()))
            .await
            .unwrap());
        assert!(!h.verify("wrong horse".into(), Some(phc)).await.unwrap());
    }

    #[tokio::test]
    async fn unknown_user_never_verifies_even_with_the_dummy_password() {
        let h = Hasher::new();
        assert!(!h
            .verify("latchkey dummy password".into(), None)
            .await
            .unwrap());
    }

    #[tokio::test]
    async fn hashing_runs_on_its_own_lower_priority_threads() {
        let h = Hasher::with_params(Params::new(8, 1, 1, None).unwrap(), 2);
        let caller = rustix::process::getpriority_process(None).unwrap();
        let (name, nice) = h
            .run(|_| {
                let me = rustix::thread::gettid();
                Ok((
                    std::thread::current().name().map(str::to_owned),
                    rustix::process::getpriority_process(Some(me)).unwrap(),
                ))
            })
            .await
            .unwrap();
        assert_eq!(name.as_deref(), Some("latchkey-hash"));
        assert_eq!(nice, (caller + HASH_NICE).min(19));
        assert_eq!(
            rustix::process::getpriority_process(None).unwrap(),
            caller,
            "the calling thread keeps its priority"
        );
    }

    #[tokio::test]
    async fn hashing_threads_stop_with_the_hasher() {
        let h = Hasher::with_params(Params::new(8, 1, 1, None).unwrap(), 3);
        let queue = h.inner.queue.clone();
        assert!(h.hash("pw".into()).await.is_ok());
        drop(h);
        // Each thread drops its end of the queue as it returns.
        for _ in 0..500 {
            if queue.upgrade().is_none() {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("the hashing threads outlived their hasher");
    }

    #[tokio::test]
    async fn same_password_gets_a_new_salt_each_time() {
        let h = Hasher::new();
        let a = h.hash("same password".into()).await.unwrap();
        let b = h.hash("same password".into()).await.unwrap();
        assert_ne!(a, b);
    }
}

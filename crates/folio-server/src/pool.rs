//! Compilation off the async runtime: at most `workers` documents at once, each on its own
//! thread, a bounded queue in front, and a time budget.
//!
//! Typesetting is CPU-bound and cannot be interrupted, so it must never run on the runtime's
//! threads (health checks would stall behind it). A thread per job rather than a standing pool
//! gives every job a fresh, large stack and leaves nothing behind between requests.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::ApiError;

/// Stack of a compile thread: the reader recurses once per nesting level and Typst's layout
/// recurses too; the main thread's 8 MiB is what the CLI has, and this is twice that. Only
/// touched pages are committed.
const STACK_BYTES: usize = 16 << 20;

pub struct Pool {
    permits: Arc<Semaphore>,
    workers: usize,
    waiting: AtomicUsize,
    queue: usize,
    max_wait: Duration,
}

pub enum PoolError {
    /// No worker and no queue place, or none became free in time.
    Busy { retry_after: u64 },
    /// The job ran past the budget; it finishes in the background and its result is dropped.
    Timeout,
    /// The job panicked, or its thread could not start.
    Failed,
}

impl From<PoolError> for ApiError {
    fn from(error: PoolError) -> Self {
        use axum::http::StatusCode;
        match error {
            PoolError::Busy { retry_after } => {
                ApiError::busy("all workers are busy and the queue is full")
                    .retry_after(retry_after)
            }
            PoolError::Timeout => ApiError::new(
                StatusCode::GATEWAY_TIMEOUT,
                "timeout",
                "the document took longer than the time budget to compile",
            ),
            PoolError::Failed => ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the compilation failed unexpectedly",
            ),
        }
    }
}

impl Pool {
    pub fn new(workers: usize, queue: usize, max_wait: Duration) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(workers)),
            workers,
            waiting: AtomicUsize::new(0),
            queue,
            max_wait,
        }
    }

    /// Jobs compiling now.
    pub fn busy(&self) -> usize {
        self.workers - self.permits.available_permits()
    }

    /// Requests waiting for a worker.
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::Relaxed)
    }

    fn retry_after(&self) -> u64 {
        self.max_wait.as_secs().max(1)
    }

    async fn admit(&self) -> Result<OwnedSemaphorePermit, PoolError> {
        if let Ok(permit) = self.permits.clone().try_acquire_owned() {
            return Ok(permit);
        }
        let busy = PoolError::Busy {
            retry_after: self.retry_after(),
        };
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.queue {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(busy);
        }
        // Decrements even when the request is dropped while it waits.
        let _place = QueuePlace(&self.waiting);
        match tokio::time::timeout(self.max_wait, self.permits.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(busy),
        }
    }

    /// Runs `job` on a compile thread once a worker is free, within `budget`.
    pub async fn run<T, F>(&self, budget: Duration, job: F) -> Result<T, PoolError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let permit = self.admit().await?;
        let (sender, receiver) = tokio::sync::oneshot::channel();
        std::thread::Builder::new()
            .name("folio-compile".into())
            .stack_size(STACK_BYTES)
            .spawn(move || {
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                // The worker is free as soon as the job is done, answered or not.
                drop(permit);
                let _ = sender.send(result);
            })
            .map_err(|_| PoolError::Failed)?;
        match tokio::time::timeout(budget, receiver).await {
            Ok(Ok(Ok(value))) => Ok(value),
            Ok(_) => Err(PoolError::Failed),
            Err(_) => Err(PoolError::Timeout),
        }
    }
}

struct QueuePlace<'a>(&'a AtomicUsize);

impl Drop for QueuePlace<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

//! Following an instance: the frames after `since` from the store, then live ones from the bus,
//! with no gap and no duplicate, as one stream any consumer can pump (the WebSockets today; a CLI
//! follower, a session replay or a second node later).
//!
//! How the merge holds: the follower subscribes to the bus *before* it reads the store, so nothing
//! published meanwhile is missed; it drops live frames it already has (`seq <= last`); on a gap
//! (`seq > last + 1`) or when it fell behind the bus (`Lagged`) it reads the store again from
//! `last`. Frames are stored before they are published, so the store always has what the bus
//! announced.

use super::bus::EventBus;
use super::events::{EventStore, StoreError};
use super::frame::Frame;
use futures::stream::{self, Stream};
use std::sync::Arc;
use tokio::sync::broadcast::{self, error::RecvError, error::TryRecvError};

/// Frames read from the store per query while catching up.
pub const REPLAY_PAGE: u32 = 500;

/// What a follower receives.
#[derive(Debug)]
pub enum Followed {
    /// The next frames, in `seq` order, with nothing missing before them. A batch is what was
    /// there to take at once (a replay page, or every live frame already waiting): a consumer
    /// writes it out in one go.
    Frames(Vec<Frame>),
    /// The instance was deleted; the stream ends after this.
    Deleted,
    /// The store could not be read; the stream ends after this.
    Failed(StoreError),
}

/// The frames of instance `id` after `since`, then live. Cancel-safe to poll in a `select!`: the
/// work in progress lives in the stream, not in the future that polls it.
pub fn follow(
    store: EventStore,
    bus: &EventBus,
    id: &str,
    since: u64,
) -> impl Stream<Item = Followed> + Send + 'static {
    let state = Follower {
        live: bus.subscribe(id),
        store,
        id: Arc::from(id),
        last: since,
        catching_up: true,
        pending: None,
        done: false,
    };
    stream::unfold(state, |mut s| async move {
        let item = s.next().await?;
        Some((item, s))
    })
}

struct Follower {
    store: EventStore,
    live: broadcast::Receiver<Arc<Frame>>,
    id: Arc<str>,
    /// The last `seq` handed out.
    last: u64,
    /// Read the store before listening again.
    catching_up: bool,
    /// A live frame that came after a gap, kept until the store has filled the gap.
    pending: Option<Arc<Frame>>,
    done: bool,
}

impl Follower {
    async fn next(&mut self) -> Option<Followed> {
        if self.done {
            return None;
        }
        loop {
            if self.catching_up {
                let page = match self
                    .store
                    .read_after(&self.id, self.last, REPLAY_PAGE)
                    .await
                {
                    Ok(page) => page,
                    Err(e) => {
                        self.done = true;
                        return Some(Followed::Failed(e));
                    }
                };
                self.catching_up = page.len() == REPLAY_PAGE as usize;
                if let Some(frame) = page.last() {
                    self.last = frame.seq;
                    return Some(Followed::Frames(page));
                }
                continue;
            }
            let first = match self.pending.take() {
                Some(frame) => frame,
                None => match self.live.recv().await {
                    Ok(frame) => frame,
                    Err(RecvError::Lagged(missed)) => {
                        tracing::debug!(instance = %self.id, missed, "follower fell behind; reading the store");
                        self.catching_up = true;
                        continue;
                    }
                    Err(RecvError::Closed) => {
                        self.done = true;
                        return Some(Followed::Deleted);
                    }
                },
            };
            let mut batch = Vec::new();
            let mut next = Some(first);
            while let Some(frame) = next.take() {
                if frame.seq > self.last + 1 {
                    self.pending = Some(frame);
                    self.catching_up = true;
                    break;
                }
                if frame.seq == self.last + 1 {
                    self.last = frame.seq;
                    batch.push(Frame::clone(&frame));
                }
                match self.live.try_recv() {
                    Ok(more) => next = Some(more),
                    Err(TryRecvError::Lagged(_)) => self.catching_up = true,
                    Err(_) => {}
                }
            }
            if !batch.is_empty() {
                return Some(Followed::Frames(batch));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt;

    async fn setup() -> (tempfile::TempDir, EventStore, EventBus) {
        let (dir, _db, store, bus) = crate::instances::engine::events::tests::setup().await;
        (dir, store, bus)
    }

    async fn append(store: &EventStore, id: &Arc<str>, range: std::ops::RangeInclusive<u64>) {
        for seq in range {
            store
                .append(id, seq, "test", format!(r#"{{"n":{seq}}}"#))
                .await
                .unwrap();
        }
        store.flush().await.unwrap();
    }

    /// Takes frames until `until` was seen; panics on anything else or after 10 s.
    async fn take_until(s: &mut (impl Stream<Item = Followed> + Unpin), until: u64) -> Vec<u64> {
        let mut seen = Vec::new();
        while seen.last() != Some(&until) {
            let item = tokio::time::timeout(std::time::Duration::from_secs(10), s.next())
                .await
                .expect("a frame in time")
                .expect("the stream goes on");
            match item {
                Followed::Frames(frames) => seen.extend(frames.iter().map(|f| f.seq)),
                other => panic!("unexpected {other:?}"),
            }
        }
        seen
    }

    #[tokio::test]
    async fn replays_then_follows_live_without_gap_or_duplicate() {
        let (_dir, store, bus) = setup().await;
        let id: Arc<str> = Arc::from("i1");
        append(&store, &id, 1..=1200).await;
        let mut s = Box::pin(follow(store.clone(), &bus, "i1", 100));
        let first = take_until(&mut s, 1200).await;
        assert_eq!(first, (101..=1200).collect::<Vec<_>>());
        append(&store, &id, 1201..=1210).await;
        assert_eq!(
            take_until(&mut s, 1210).await,
            (1201..=1210).collect::<Vec<_>>()
        );
    }

    #[tokio::test]
    async fn a_follower_far_behind_the_bus_reads_what_it_missed_from_the_store() {
        let (_dir, store, bus) = setup().await;
        let id: Arc<str> = Arc::from("i1");
        let mut s = Box::pin(follow(store.clone(), &bus, "i1", 0));
        // More than the bus holds arrives before the follower looks again: it lags.
        append(&store, &id, 1..=(super::super::bus::CAPACITY as u64 * 3)).await;
        let last = super::super::bus::CAPACITY as u64 * 3;
        assert_eq!(
            take_until(&mut s, last).await,
            (1..=last).collect::<Vec<_>>()
        );
    }

    #[tokio::test]
    async fn deleting_the_instance_ends_the_stream() {
        let (_dir, store, bus) = setup().await;
        let id: Arc<str> = Arc::from("i1");
        append(&store, &id, 1..=3).await;
        let mut s = Box::pin(follow(store.clone(), &bus, "i1", 0));
        assert_eq!(take_until(&mut s, 3).await, vec![1, 2, 3]);
        bus.close("i1");
        assert!(matches!(s.next().await, Some(Followed::Deleted)));
        assert!(s.next().await.is_none());
    }
}

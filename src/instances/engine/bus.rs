//! The event bus: fan-out of persisted events to live viewers.
//!
//! One bounded broadcast channel per instance. A slow or dead viewer never blocks the instance or
//! other viewers: when it falls more than [`CAPACITY`] frames behind it gets `Lagged` and re-reads
//! what it missed from the event store by `seq`. A second channel carries changes of the
//! instance list (for the dashboard).

use super::frame::Frame;
use crate::instances::types::{Instance, ListUpdate};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use tokio::sync::broadcast;

/// Frames buffered per instance for viewers that are momentarily behind. The ring keeps its
/// last frames alive, so it is most of an instance's memory in the server; a viewer further
/// behind than this re-reads from the store, which costs it a query, nobody else anything.
pub const CAPACITY: usize = 256;

#[derive(Clone)]
pub struct EventBus {
    inner: Arc<Inner>,
}

struct Inner {
    instances: RwLock<HashMap<Arc<str>, broadcast::Sender<Arc<Frame>>>>,
    list: broadcast::Sender<ListUpdate>,
}

impl Default for EventBus {
    fn default() -> Self {
        Self::new()
    }
}

impl EventBus {
    pub fn new() -> Self {
        Self {
            inner: Arc::new(Inner {
                instances: RwLock::new(HashMap::new()),
                list: broadcast::channel(CAPACITY).0,
            }),
        }
    }

    /// Live frames of one instance from now on.
    pub fn subscribe(&self, instance_id: &str) -> broadcast::Receiver<Arc<Frame>> {
        if let Some(tx) = self.read().get(instance_id) {
            return tx.subscribe();
        }
        let mut map = self.write();
        map.entry(Arc::from(instance_id))
            .or_insert_with(|| broadcast::channel(CAPACITY).0)
            .subscribe()
    }

    /// Hands a persisted frame to the instance's viewers. Never waits.
    pub fn publish(&self, frame: Arc<Frame>) {
        if let Some(tx) = self.read().get(&*frame.instance_id) {
            // No viewer is not an error.
            let _ = tx.send(frame);
        }
    }

    /// Ends every viewer of an instance (it was deleted).
    pub fn close(&self, instance_id: &str) {
        self.write().remove(instance_id);
    }

    pub fn subscribe_list(&self) -> broadcast::Receiver<ListUpdate> {
        self.inner.list.subscribe()
    }

    pub fn publish_instance(&self, instance: Instance) {
        let _ = self.inner.list.send(ListUpdate::Upsert {
            instance: Box::new(instance),
        });
    }

    pub fn publish_removed(&self, id: &str) {
        let _ = self
            .inner
            .list
            .send(ListUpdate::Removed { id: id.to_string() });
    }

    fn read(
        &self,
    ) -> std::sync::RwLockReadGuard<'_, HashMap<Arc<str>, broadcast::Sender<Arc<Frame>>>> {
        // A poisoned lock only means a panic elsewhere while holding it; the map is still valid.
        self.inner
            .instances
            .read()
            .unwrap_or_else(|e| e.into_inner())
    }

    fn write(
        &self,
    ) -> std::sync::RwLockWriteGuard<'_, HashMap<Arc<str>, broadcast::Sender<Arc<Frame>>>> {
        self.inner
            .instances
            .write()
            .unwrap_or_else(|e| e.into_inner())
    }
}

//! Work over a slice on every core, results in the slice's order: the
//! index build's extraction and analysis are one independent step per
//! document.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Items a thread takes at a time: small enough that one slow item (a
/// long PDF) does not leave the other cores idle at the end, large enough
/// that taking work costs nothing beside doing it.
const BLOCK: usize = 16;

/// `f(index, item)` for every item, on as many threads as there are
/// cores, returned in the items' order. A panic in `f` is re-raised here.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(usize, &T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |cores| cores.get())
        .min(items.len().div_ceil(BLOCK));
    if threads <= 1 {
        return items
            .iter()
            .enumerate()
            .map(|(index, item)| f(index, item))
            .collect();
    }
    let next = AtomicUsize::new(0);
    let mut blocks: Vec<(usize, Vec<R>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let start = next.fetch_add(BLOCK, Ordering::Relaxed);
                        if start >= items.len() {
                            return done;
                        }
                        let end = (start + BLOCK).min(items.len());
                        let results = items[start..end]
                            .iter()
                            .enumerate()
                            .map(|(offset, item)| f(start + offset, item))
                            .collect();
                        done.push((start, results));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| {
                worker
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    blocks.sort_unstable_by_key(|(start, _)| *start);
    blocks
        .into_iter()
        .flat_map(|(_, results)| results)
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_the_order_of_the_items() {
        let items: Vec<usize> = (0..1000).collect();
        let doubled = super::map(&items, |index, item| {
            assert_eq!(index, *item);
            item * 2
        });
        assert_eq!(doubled, (0..1000).map(|n| n * 2).collect::<Vec<_>>());
        assert!(super::map(&[] as &[u8], |_, item| *item).is_empty());
    }
}

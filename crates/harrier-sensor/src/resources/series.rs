//! A bounded time series: the last `capacity` values, oldest first.

use std::collections::VecDeque;
use std::num::NonZeroUsize;

/// A ring buffer of the last `capacity` values pushed.
#[derive(Debug, Clone)]
pub struct Series<T> {
    values: VecDeque<T>,
    capacity: usize,
    dropped: u64,
}

impl<T> Series<T> {
    /// An empty series of at most `capacity` values.
    pub fn new(capacity: NonZeroUsize) -> Self {
        Series {
            values: VecDeque::with_capacity(capacity.get().min(1024)),
            capacity: capacity.get(),
            dropped: 0,
        }
    }

    /// Appends a value, dropping the oldest when full.
    pub fn push(&mut self, v: T) {
        if self.values.len() >= self.capacity {
            self.values.pop_front();
            self.dropped += 1;
        }
        self.values.push_back(v);
    }

    /// The values, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + ExactSizeIterator {
        self.values.iter()
    }

    /// The newest value.
    pub fn last(&self) -> Option<&T> {
        self.values.back()
    }

    /// How many values it holds.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Values dropped to stay within the bound.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_newest() {
        let mut s = Series::new(NonZeroUsize::new(3).unwrap());
        assert!(s.is_empty());
        for i in 0..5 {
            s.push(i);
        }
        assert_eq!(s.iter().copied().collect::<Vec<_>>(), [2, 3, 4]);
        assert_eq!((s.len(), s.dropped(), s.last()), (3, 2, Some(&4)));
    }
}

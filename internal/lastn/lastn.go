// Package lastn keeps the last entries of a stream and counts those it dropped, so that the logs of
// servers left running (the emulator's deliveries, the receiver's notifications) stay bounded.
package lastn

// Log holds at most Limit entries, oldest first. It is not safe for concurrent use: its owner locks.
type Log[T any] struct {
	limit   int
	entries []T
	oldest  int // where the oldest entry is, once the log is full
	dropped int
}

// New returns a log of at most limit entries (at least 1).
func New[T any](limit int) *Log[T] {
	return &Log[T]{limit: max(limit, 1)}
}

// Add appends v, dropping the oldest entry when the log is full.
func (l *Log[T]) Add(v T) {
	if len(l.entries) < l.limit {
		l.entries = append(l.entries, v)
		return
	}
	l.entries[l.oldest] = v
	l.oldest = (l.oldest + 1) % l.limit
	l.dropped++
}

// Entries returns a copy of the entries, oldest first.
func (l *Log[T]) Entries() []T {
	out := make([]T, 0, len(l.entries))
	out = append(out, l.entries[l.oldest:]...)
	return append(out, l.entries[:l.oldest]...)
}

// Dropped is how many entries were dropped to keep the log within its limit.
func (l *Log[T]) Dropped() int {
	return l.dropped
}

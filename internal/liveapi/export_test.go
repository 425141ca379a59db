package liveapi

import "time"

// SetClock replaces the client's clock, for tests of what happens over minutes.
func SetClock(c *Client, now func() time.Time) {
	c.now = now
}

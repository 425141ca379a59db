package lastn_test

import (
	"slices"
	"testing"

	"github.com/platform-tools/terraform-provider-live/internal/lastn"
)

func TestLogKeepsTheLastEntries(t *testing.T) {
	log := lastn.New[int](3)
	if got := log.Entries(); len(got) != 0 || log.Dropped() != 0 {
		t.Fatalf("empty: %v %d", got, log.Dropped())
	}
	for i := range 2 {
		log.Add(i)
	}
	if got := log.Entries(); !slices.Equal(got, []int{0, 1}) || log.Dropped() != 0 {
		t.Fatalf("not full: %v %d", got, log.Dropped())
	}
	for i := 2; i < 8; i++ {
		log.Add(i)
	}
	if got := log.Entries(); !slices.Equal(got, []int{5, 6, 7}) || log.Dropped() != 5 {
		t.Fatalf("full: %v, dropped %d", got, log.Dropped())
	}
	entries := log.Entries()
	entries[0] = 99
	if log.Entries()[0] != 5 {
		t.Fatal("Entries must return a copy")
	}
}

func BenchmarkLogAdd(b *testing.B) {
	log := lastn.New[[64]byte](10_000)
	for range b.N {
		log.Add([64]byte{})
	}
}

package relay_test

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"cornershop/core"
	"cornershop/core/relay"
)

// TestDeskFallbackWhenNoThreadOpens: when the desk refuses the thread for
// good, the customer's message is posted in the desk channel, naming the
// customer and the conversation and saying why, and counted; the next
// message tries the thread again (one call) and falls back again; once
// the desk accepts threads, the next message opens one and goes there.
func TestDeskFallbackWhenNoThreadOpens(t *testing.T) {
	var mu sync.Mutex
	fallbacks := map[core.PlatformName]int{}
	e := newEnv(t, func(c *relay.Config) {
		c.DeskFallback = func(p core.PlatformName) { mu.Lock(); fallbacks[p]++; mu.Unlock() }
	})
	e.desk.FailThreads(core.Permanent(errors.New("missing permissions (50013)")))
	e.customer("Where is my order?")
	e.drain()
	channel := func() []string { return texts(e.desk.Posts(deskChannel)) }
	got := channel()
	if len(got) != 1 || !strings.Contains(got[0], "Carla") || !strings.Contains(got[0], "conversation #") ||
		!strings.Contains(got[0], "missing permissions") || !strings.HasSuffix(got[0], "\nWhere is my order?") {
		t.Fatalf("desk channel = %q, want the message with a heading naming Carla and why", got)
	}
	if e.conversation().Desk.Thread != "" {
		t.Fatalf("a thread was recorded: %+v", e.conversation().Desk)
	}
	opens := e.desk.Opens()
	e.customer("Hello?")
	e.drain()
	if got := channel(); len(got) != 2 || !strings.HasSuffix(got[1], "\nHello?") || e.desk.Opens() != opens+1 {
		t.Fatalf("second message: channel %q, %d more thread attempts; want it posted after one attempt", got, e.desk.Opens()-opens)
	}
	mu.Lock()
	n := fallbacks[core.Slack]
	mu.Unlock()
	if n != 2 {
		t.Errorf("DeskFallback called %d times for slack, want 2", n)
	}

	e.desk.FailThreads(nil)
	e.customer("Anyone?")
	e.drain()
	conv := e.conversation()
	if conv.Desk.Thread == "" {
		t.Fatal("the thread did not open once the desk allowed it")
	}
	thread := texts(e.desk.Posts(conv.Desk))
	if len(thread) != 2 || thread[1] != "Anyone?" {
		t.Fatalf("desk thread = %q, want the card then the message", thread)
	}
	if got := channel(); len(got) != 2 {
		t.Errorf("desk channel = %q, want nothing more there", got)
	}
}

// TestTransientThreadFailureWaits: a thread that fails to open for a
// passing reason holds the conversation's desk copies back (in order)
// rather than posting them outside a thread.
func TestTransientThreadFailureWaits(t *testing.T) {
	e := newEnv(t)
	e.desk.FailThreads(core.Transient(errors.New("502 bad gateway")))
	e.customer("hi")
	e.drain()
	if got := texts(e.desk.Posts(deskChannel)); len(got) != 0 {
		t.Fatalf("desk channel = %q, want nothing while the thread may still open", got)
	}
}

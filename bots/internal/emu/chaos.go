package emu

import (
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Chaos makes an emulator misbehave at random, as a platform under strain
// does: a share of calls fail with a 5xx, a share are answered 429 with a
// retry-after (opening the window the emulator counts violations in), and
// a share are answered late. The shares are independent draws per call.
type Chaos struct {
	Fail       float64       // share of calls answered 500, 502 or 503
	RateLimit  float64       // share answered 429
	RetryAfter time.Duration // the window a chaos 429 announces [1s]
	Spike      float64       // share of calls answered late
	SpikeDelay time.Duration // how late [250ms]
	// Calls limits chaos to calls whose name contains one of these (a
	// method for Telegram and Slack, "METHOD /path" for Discord); empty
	// means every call.
	Calls []string
	Seed  uint64 // a fixed sequence; 0 picks one at random
}

// Fate is what one call suffers: an error status (0 none; 429 comes with
// RetryAfter) and a delay before it is answered.
type Fate struct {
	Status     int
	RetryAfter time.Duration
	Delay      time.Duration
}

// ChaosCounts is how many calls chaos saw and how many it hurt.
type ChaosCounts struct {
	Calls, Failed, RateLimited, Delayed int
}

// Dice draws fates for a Chaos. It is safe for concurrent use; a nil
// *Dice draws no fault.
type Dice struct {
	mu sync.Mutex
	c  Chaos
	r  *rand.Rand
	n  ChaosCounts
}

// NewDice returns dice for c, or nil (no chaos) when c hurts nothing.
func NewDice(c Chaos) *Dice {
	if c.Fail == 0 && c.RateLimit == 0 && c.Spike == 0 {
		return nil
	}
	if c.RetryAfter <= 0 {
		c.RetryAfter = time.Second
	}
	if c.SpikeDelay <= 0 {
		c.SpikeDelay = 250 * time.Millisecond
	}
	seed := c.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	return &Dice{c: c, r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// Roll draws the fate of one call named call.
func (d *Dice) Roll(call string) Fate {
	if d == nil {
		return Fate{}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.c.Calls) > 0 && !containsAny(call, d.c.Calls) {
		return Fate{}
	}
	d.n.Calls++
	var f Fate
	if d.r.Float64() < d.c.Spike {
		f.Delay = d.c.SpikeDelay
		d.n.Delayed++
	}
	switch x := d.r.Float64(); {
	case x < d.c.RateLimit:
		f.Status, f.RetryAfter = http.StatusTooManyRequests, d.c.RetryAfter
		d.n.RateLimited++
	case x < d.c.RateLimit+d.c.Fail:
		f.Status = []int{http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable}[d.r.IntN(3)]
		d.n.Failed++
	}
	return f
}

// Counts returns what the dice did so far.
func (d *Dice) Counts() ChaosCounts {
	if d == nil {
		return ChaosCounts{}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.n
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

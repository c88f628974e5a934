package bench

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"cornershop/bots/discord/discordfake"
	"cornershop/bots/slack/slackfake"
	"cornershop/bots/telegram/telegramfake"
)

// The bench's messages carry their sequence number after a marker, so the
// emulators' Observe hooks can tell which delivery is which.
const (
	customerMarker = "bench "
	replyMarker    = "reply "
)

func customerText(seq int) string {
	return customerMarker + strconv.Itoa(seq) + ": hello, my order hasn't arrived yet, can you check?"
}

func replyText(seq int) string {
	return replyMarker + strconv.Itoa(seq) + ": sorry about that, a new parcel leaves today."
}

// seqAfter parses the number after marker in text, or -1.
func seqAfter(text, marker string) int {
	i := strings.Index(text, marker)
	if i < 0 {
		return -1
	}
	rest := text[i+len(marker):]
	end := 0
	for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
		end++
	}
	n, err := strconv.Atoi(rest[:end])
	if err != nil {
		return -1
	}
	return n
}

// recorder receives every call the emulators answer (their Observe hooks,
// called under the emulators' locks: it only records) and timestamps the
// deliveries the scenarios wait for.
type recorder struct {
	mu     sync.Mutex
	desk   string // the Slack desk channel
	ready  bool   // the Telegram adapter started polling (deleteWebhook seen)
	hooks  int    // setWebhook calls answered 200 (one per replica in webhook mode)
	sent   map[int]time.Time
	copies map[int]time.Time // customer seq -> its copy reached the desk
	thread map[int]string    // customer seq -> the desk thread it was posted in
	order  map[string][]int  // desk thread -> customer seqs in arrival order
	dups   int
	want   int
	done   chan struct{}
	// The highest getUpdates offset seen and when: Telegram is told an
	// update is recorded only after its commit.
	offset   int
	offsetAt time.Time
	// In webhook mode, when the last push was answered 2xx: the adapter
	// answers only once the update is committed.
	pushedAt time.Time
	// Replies: each platform's deliveries to customers and 429s.
	replies map[string][]time.Time
	limited map[string]int
	// discordCalls is when Discord answered each REST call: its limit is
	// on requests.
	discordCalls []time.Time
}

func newRecorder() *recorder {
	return &recorder{sent: map[int]time.Time{}, copies: map[int]time.Time{}, thread: map[int]string{}, order: map[string][]int{},
		replies: map[string][]time.Time{}, limited: map[string]int{}, done: make(chan struct{})}
}

// expect arms the recorder for want more desk copies (or replies): done is
// closed when they have all arrived.
func (r *recorder) expect(want int) <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.want = want
	r.done = make(chan struct{})
	if want <= 0 {
		close(r.done)
	}
	return r.done
}

func (r *recorder) arrivedLocked() {
	r.want--
	if r.want == 0 {
		close(r.done)
	}
}

func (r *recorder) sentAt(seq int, at time.Time) {
	r.mu.Lock()
	r.sent[seq] = at
	r.mu.Unlock()
}

func (r *recorder) resetReady() {
	r.mu.Lock()
	r.ready, r.hooks = false, 0
	r.mu.Unlock()
}

// webhooksSet counts the setWebhook calls answered 200 since resetReady.
func (r *recorder) webhooksSet() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.hooks
}

// telegramPush receives every webhook push the Telegram emulator makes.
func (r *recorder) telegramPush(p telegramfake.Push) {
	if p.Status/100 != 2 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if p.At.After(r.pushedAt) {
		r.pushedAt = p.At
	}
}

func (r *recorder) polled() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ready
}

func (r *recorder) telegram(c telegramfake.Call) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case c.Method == "deleteWebhook":
		r.ready = true
	case c.Method == "setWebhook" && c.Status == http.StatusOK:
		r.hooks++
	case c.Method == "getUpdates":
		if o, _ := strconv.Atoi(c.Params["offset"]); o > r.offset {
			r.offset, r.offsetAt = o, c.At
		}
	case c.Status == http.StatusTooManyRequests:
		r.limited["telegram"]++
	case c.Status == http.StatusOK && strings.EqualFold(c.Method, "sendMessage") && seqAfter(c.Params["text"], replyMarker) >= 0:
		r.replies["telegram"] = append(r.replies["telegram"], c.At)
		r.arrivedLocked()
	}
}

func (r *recorder) slack(c slackfake.Call) {
	if c.Method != "chat.postMessage" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if c.Error == "ratelimited" {
		r.limited["slack"]++
		return
	}
	thread, text := c.Params.Get("thread_ts"), c.Params.Get("text")
	if c.Error != "" || thread == "" {
		return // a card (a thread's root) or a refused call
	}
	if c.Params.Get("channel") != r.desk {
		if seqAfter(text, replyMarker) >= 0 {
			r.replies["slack"] = append(r.replies["slack"], c.At)
			r.arrivedLocked()
		}
		return
	}
	seq := seqAfter(text, customerMarker)
	if seq < 0 {
		return
	}
	if _, dup := r.copies[seq]; dup {
		r.dups++
		return
	}
	r.copies[seq], r.thread[seq] = c.At, thread
	r.order[thread] = append(r.order[thread], seq)
	r.arrivedLocked()
}

func (r *recorder) discord(c discordfake.Call) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.discordCalls = append(r.discordCalls, c.At)
	switch {
	case c.Status == http.StatusTooManyRequests:
		r.limited["discord"]++
	case c.Status == http.StatusOK && c.Method == http.MethodPost && strings.HasPrefix(c.Path, "/channels/") && strings.HasSuffix(c.Path, "/messages"):
		r.replies["discord"] = append(r.replies["discord"], c.At)
		r.arrivedLocked()
	}
}

// wait blocks until done is closed, ctx ends or timeout passes.
func wait(ctx context.Context, done <-chan struct{}, timeout time.Duration, what string, left func() int) error {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return fmt.Errorf("bench: %s: %d still missing after %s", what, left(), timeout)
	}
}

func (r *recorder) missing() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.want
}

// latencies returns, for customer seqs [from, to), each copy's time from
// the customer's platform to the desk, and the first arrival and last
// delivery of the range.
func (r *recorder) latencies(from, to int) (lat []time.Duration, first, last time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for seq := from; seq < to; seq++ {
		s, d := r.sent[seq], r.copies[seq]
		if s.IsZero() || d.IsZero() {
			continue
		}
		lat = append(lat, d.Sub(s))
		if first.IsZero() || s.Before(first) {
			first = s
		}
		if d.After(last) {
			last = d
		}
	}
	return lat, first, last
}

// threadOf returns the desk thread customer seq's copy was posted in.
func (r *recorder) threadOf(seq int) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.thread[seq]
}

func (r *recorder) dupCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.dups
}

func (r *recorder) setDesk(channel string) {
	r.mu.Lock()
	r.desk = channel
	r.mu.Unlock()
}

// acked returns when Telegram was last told of newly recorded updates: a
// getUpdates offset moved past them, or a webhook push answered 2xx.
func (r *recorder) acked() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pushedAt.After(r.offsetAt) {
		return r.pushedAt
	}
	return r.offsetAt
}

// outOfOrder counts desk copies posted before an earlier message of the
// same conversation (seqs of one conversation grow with time).
func (r *recorder) outOfOrder() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, seqs := range r.order {
		for i := 1; i < len(seqs); i++ {
			if seqs[i] < seqs[i-1] {
				n++
			}
		}
	}
	return n
}

// percentiles of d (sorted in place): p50, p90, p99, max.
func percentiles(d []time.Duration) [4]time.Duration {
	if len(d) == 0 {
		return [4]time.Duration{}
	}
	slices.Sort(d)
	at := func(p float64) time.Duration {
		i := int(p*float64(len(d))+0.5) - 1
		return d[min(max(i, 0), len(d)-1)]
	}
	return [4]time.Duration{at(0.50), at(0.90), at(0.99), d[len(d)-1]}
}

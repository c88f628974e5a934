package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"cornershop/bots/slack/slackfake"
	"cornershop/bots/telegram/telegramfake"
)

// balancer is a round-robin load balancer in front of the replicas.
type balancer struct {
	srv *httptest.Server

	mu       sync.Mutex
	backends []string
	next     int
	served   map[string]int // backend -> requests
	refused  []string       // answers 5xx: "status path"
}

// statusWriter remembers the status a handler answered.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func newBalancer(t *testing.T) *balancer {
	b := &balancer{served: map[string]int{}}
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		if len(b.backends) == 0 {
			b.mu.Unlock()
			http.Error(w, "no backend", http.StatusBadGateway)
			return
		}
		addr := b.backends[b.next%len(b.backends)]
		b.next++
		b.served[addr]++
		b.mu.Unlock()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: addr}).ServeHTTP(sw, r)
		if sw.status >= 500 {
			b.mu.Lock()
			b.refused = append(b.refused, fmt.Sprintf("%d %s", sw.status, r.URL.Path))
			b.mu.Unlock()
		}
	}))
	t.Cleanup(b.srv.Close)
	return b
}

func (b *balancer) set(rs ...*replica) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, r := range rs {
		b.backends = append(b.backends, r.addr)
	}
}

// TestReplicasShareStatelessHTTP starts two replicas at once on an empty
// schema (they migrate once between them) behind a round-robin load
// balancer, with Slack in Events API mode and Telegram in webhook mode:
// neither needs a connection held by one replica, so both replicas
// receive, and every customer message pushed through either is recorded
// once and copied to the desk.
func TestReplicasShareStatelessHTTP(t *testing.T) {
	lb := newBalancer(t)
	tg, err := telegramfake.Start("127.0.0.1:0", telegramfake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	sl, err := slackfake.Start("127.0.0.1:0", slackfake.Options{EventsURL: lb.srv.URL + "/slack/events"})
	if err != nil {
		t.Fatal(err)
	}
	defer sl.Close()
	desk, alice, _, _, _ := sl.SeedDemo()
	yaml := fmt.Sprintf(`database:
  driver: postgres
http:
  listen: "127.0.0.1:0"
  public_url: %s
log:
  format: json
staff:
  - {id: alice, name: Alice Martin, identities: {slack: "%s"}}
desks:
  - {name: sl, platform: slack, channel: "%s", kind: thread}
routes:
  - {platform: telegram, desk: sl}
  - {platform: slack, desk: sl}
telegram:
  enabled: true
  api_url: %s
  mode: webhook
slack:
  enabled: true
  api_url: %s
  mode: events
`, lb.srv.URL, alice.ID, desk.ID, tg.URL(), sl.APIURL())
	c := newCluster(t, yaml, "CORNERSHOP_TELEGRAM_TOKEN="+tg.Token(), "CORNERSHOP_TELEGRAM_WEBHOOK_SECRET=hook-secret",
		"CORNERSHOP_SLACK_BOT_TOKEN="+sl.BotToken(), "CORNERSHOP_SLACK_SIGNING_SECRET="+sl.SigningSecret())
	rs := c.startAll(2)
	lb.set(rs...)
	db := c.db()
	var migrations, distinct int
	if err := db.QueryRow(`SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_migrations`).Scan(&migrations, &distinct); err != nil || migrations != distinct || migrations == 0 {
		t.Fatalf("schema_migrations: %d rows, %d versions (%v): want each migration once", migrations, distinct, err)
	}
	// Both replicas receive: neither holds a connection for these modes.
	for _, r := range rs {
		deadline := time.Now().Add(15 * time.Second)
		for len(r.holds()) > 0 || !r.receives() {
			if time.Now().After(deadline) {
				t.Fatalf("replica %d does not receive pushes (holds %v)", r.n, r.holds())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}

	const n = 20
	carla := tg.AddUser("Carla", "", "")
	dana := sl.AddUser("dana", "Dana", "", false)
	dm := sl.DM(dana)
	for i := range n {
		if _, err := tg.SendText(carla.ID, 0, carla, "tg "+strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
		if _, err := sl.Post(dm.ID, dana, "sl "+strconv.Itoa(i), ""); err != nil {
			t.Fatal(err)
		}
	}
	var recorded, texts int
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		_ = db.QueryRow(`SELECT COUNT(*), COUNT(DISTINCT text) FROM messages WHERE direction = 'inbound'`).Scan(&recorded, &texts)
		if recorded >= 2*n {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if recorded != 2*n || texts != 2*n {
		t.Fatalf("%d customer messages recorded (%d distinct), want %d once each", recorded, texts, 2*n)
	}
	lb.mu.Lock()
	served := fmt.Sprint(lb.served)
	for _, r := range rs {
		if lb.served[r.addr] < n/2 {
			t.Errorf("replica %d served %d pushes of %v", r.n, lb.served[r.addr], lb.served)
		}
	}
	// Two replicas recording a new customer's first messages at once race
	// to create the contact; the loser answers 500 and the platform sends
	// the event again, which the counts above prove was recorded once.
	refused := slices.Clone(lb.refused)
	lb.mu.Unlock()
	var copies int
	deadline = time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		_ = db.QueryRow(`SELECT COUNT(*) FROM deliveries WHERE op = 'send' AND side = 'desk' AND state = 'done'`).Scan(&copies)
		if copies >= 2*n {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if copies != 2*n {
		t.Errorf("%d desk copies delivered, want %d", copies, 2*n)
	}
	var convs int
	_ = db.QueryRow(`SELECT COUNT(*) FROM conversations`).Scan(&convs)
	if convs != 2 {
		t.Errorf("%d conversations, want one per customer", convs)
	}
	t.Logf("pushes per replica %s, refused and sent again by the platform %v; %d migrations applied once; %d messages recorded once in %d conversations, %d copied to the desk",
		served, refused, migrations, recorded, convs, copies)
}

// receives reports whether the replica's /readyz says it receives pushes.
func (r *replica) receives() bool {
	client := http.Client{Timeout: time.Second}
	resp, err := client.Get("http://" + r.addr + "/readyz")
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

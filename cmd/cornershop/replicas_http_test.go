package main

import (
	"database/sql"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"cornershop/bots/discord/discordfake"
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
// balancer, with Slack in Events API mode, Telegram in webhook mode and
// Discord's Interactions Endpoint URL on the balancer: none of these needs
// a connection held by one replica (only Discord's gateway is), so both
// replicas receive. Every customer message pushed through either is
// recorded once and copied to the desk; every /idea interaction is
// answered and recorded once; and the roadmap page, from either replica,
// shows the same ideas.
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
	dc, err := discordfake.Start("127.0.0.1:0", discordfake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer dc.Close()
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
  - {platform: discord, desk: sl}
telegram:
  enabled: true
  api_url: %s
  mode: webhook
slack:
  enabled: true
  api_url: %s
  mode: events
discord:
  enabled: true
  application_id: "%s"
  api_url: %s
  public_key: %s
`, lb.srv.URL, alice.ID, desk.ID, tg.URL(), sl.APIURL(), dc.ApplicationID(), dc.URL(), dc.PublicKey())
	c := newCluster(t, yaml, "CORNERSHOP_TELEGRAM_TOKEN="+tg.Token(), "CORNERSHOP_TELEGRAM_WEBHOOK_SECRET=hook-secret",
		"CORNERSHOP_SLACK_BOT_TOKEN="+sl.BotToken(), "CORNERSHOP_SLACK_SIGNING_SECRET="+sl.SigningSecret(),
		"CORNERSHOP_DISCORD_TOKEN="+dc.Token())
	rs := c.startAll(2)
	lb.set(rs...)
	// The Developer Portal checks the endpoint (a signed PING, and a
	// forged one refused) before it sends interactions there.
	if err := dc.SetInteractionsEndpoint(lb.srv.URL + "/discord/interactions"); err != nil {
		t.Fatalf("interactions endpoint behind the balancer: %v", err)
	}
	db := c.db()
	var migrations, distinct int
	if err := db.QueryRow(`SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_migrations`).Scan(&migrations, &distinct); err != nil || migrations != distinct || migrations == 0 {
		t.Fatalf("schema_migrations: %d rows, %d versions (%v): want each migration once", migrations, distinct, err)
	}
	// Both replicas receive: only Discord's gateway is held, by one.
	gateways := 0
	for _, r := range rs {
		deadline := time.Now().Add(15 * time.Second)
		for slices.ContainsFunc(r.holds(), func(p string) bool { return p != "discord" }) || !r.receives() {
			if time.Now().After(deadline) {
				t.Fatalf("replica %d does not receive pushes (holds %v)", r.n, r.holds())
			}
			time.Sleep(50 * time.Millisecond)
		}
		if slices.Contains(r.holds(), "discord") {
			gateways++
		}
	}
	if gateways != 1 {
		t.Errorf("%d replicas hold the Discord gateway, want 1", gateways)
	}

	const n = 12 // the Slack desk takes about one post a second, shared by the replicas
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

	ideasThroughInteractions(t, lb, dc, db)
}

// ideasThroughInteractions has Discord members propose ideas with /idea,
// each interaction POSTed to the balancer: every one is answered (in
// Discord's 3 s) and recorded once, both replicas answer some, and the
// roadmap page is the same from either replica.
func ideasThroughInteractions(t *testing.T, lb *balancer, dc *discordfake.Server, db *sql.DB) {
	t.Helper()
	lb.mu.Lock()
	before := maps.Clone(lb.served)
	lb.mu.Unlock()
	const n = 6
	var ids []string
	for i := range n {
		u := dc.AddUser(fmt.Sprintf("member%d", i), fmt.Sprintf("Member %d", i))
		ids = append(ids, dc.Command(dc.DMChannel(u).ID, u, "idea", map[string]string{"text": fmt.Sprintf("Idea %d — details %d", i, i)}))
	}
	deadline := time.Now().Add(30 * time.Second)
	for _, id := range ids {
		for {
			if _, _, ok := dc.Response(id); ok {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("interaction %s unanswered; endpoint statuses %v", id, dc.EndpointStatuses())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	for _, st := range dc.EndpointStatuses() {
		if st/100 != 2 {
			t.Errorf("the endpoint answered %d (statuses %v)", st, dc.EndpointStatuses())
			break
		}
	}
	var ideas, titles int
	_ = db.QueryRow(`SELECT COUNT(*), COUNT(DISTINCT title) FROM ideas`).Scan(&ideas, &titles)
	if ideas != n || titles != n {
		t.Errorf("%d ideas recorded (%d titles), want %d once each", ideas, titles, n)
	}
	lb.mu.Lock()
	answered := map[string]int{}
	for addr, total := range lb.served {
		answered[addr] = total - before[addr]
		if answered[addr] < 2 {
			t.Errorf("replica %s answered %d of the interactions and pings: %v then %v", addr, answered[addr], before, lb.served)
		}
	}
	lb.mu.Unlock()
	t.Logf("interactions and endpoint checks per replica %v; %d ideas recorded once", answered, ideas)

	// The roadmap from each replica in turn (round robin): the same page,
	// every idea on it — once the ideas' cards are posted, whose receipts
	// update the ideas.
	for deadline := time.Now().Add(30 * time.Second); ; {
		var pending int
		_ = db.QueryRow(`SELECT COUNT(*) FROM deliveries WHERE state = 'pending'`).Scan(&pending)
		if pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d deliveries still pending", pending)
		}
		time.Sleep(100 * time.Millisecond)
	}
	var pages []string
	for range 2 {
		resp, err := http.Get(lb.srv.URL + "/ideas.json")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("/ideas.json: %s", resp.Status)
		}
		pages = append(pages, string(body))
	}
	if pages[0] != pages[1] {
		t.Errorf("the replicas show different roadmaps:\n%s\n---\n%s", pages[0], pages[1])
	}
	for i := range n {
		if !strings.Contains(pages[0], fmt.Sprintf("Idea %d", i)) {
			t.Errorf("the roadmap lacks idea %d:\n%s", i, pages[0])
		}
	}
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

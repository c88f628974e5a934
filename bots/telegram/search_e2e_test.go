package telegram_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"cornershop/bots/bottest"
	"cornershop/core/outbox"
	"cornershop/core/store"
)

// TestSearchCommand: "!search" typed in a desk topic, over the wire, finds
// the customer by name and the conversation by what they wrote, and links
// its topic; on SQLite and on PostgreSQL.
func TestSearchCommand(t *testing.T) {
	opts := outbox.Options{BaseBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond, Poll: 50 * time.Millisecond, MaxAttempts: 5}
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			w := newWorld(t)
			var st *store.Store
			if db == "postgres" {
				st = bottest.OpenPostgres(t)
			}
			var s *bottest.Stack
			if st == nil {
				s = bottest.StartWith(t, relayConfig(w), opts, w.bot(t, nil))
			} else {
				s = bottest.StartStore(t, st, relayConfig(w), opts, w.bot(t, nil))
			}
			if _, err := w.fake.SendText(w.customer.ID, 0, w.customer, "My parcel never arrived in Lyon"); err != nil {
				t.Fatal(err)
			}
			c := conv(t, s, w)
			th := topic(t, c.Desk)
			bottest.Eventually(t, wait, "card and copy", func() bool { return len(w.fake.BotMessages(w.desk.ID, th)) == 2 })
			if _, err := w.fake.SendText(w.desk.ID, th, w.staff, "!search parcels"); err != nil {
				t.Fatal(err)
			}
			link := fmt.Sprintf("conversation #%d https://t.me/c/%s/%d", c.ID, strings.TrimPrefix(id(w.desk.ID), "-100"), th)
			answer := func(want ...string) {
				t.Helper()
				deadline := time.Now().Add(5 * time.Second)
				bottest.Eventually(t, 6*time.Second, "the search answer", func() bool {
					if time.Now().After(deadline) {
						for _, m := range w.fake.BotMessages(w.desk.ID, th) {
							t.Logf("topic shows %q", m.Text)
						}
						t.FailNow()
					}
					for _, m := range w.fake.BotMessages(w.desk.ID, th) {
						ok := strings.HasPrefix(m.Text, "🔎")
						for _, x := range want {
							ok = ok && strings.Contains(m.Text, x)
						}
						if ok {
							return true
						}
					}
					return false
				})
			}
			answer("Conversations:", link, "My parcel never arrived in Lyon")
			if _, err := w.fake.SendText(w.desk.ID, th, w.staff, `!search carla "`); err != nil {
				t.Fatal(err)
			}
			answer("Contacts:", "contact #", "Carla Customer", "latest "+link)
			if _, err := w.fake.SendText(w.desk.ID, th, w.staff, "!search zebra"); err != nil {
				t.Fatal(err)
			}
			answer(`Nothing matches "zebra"`)
		})
	}
}

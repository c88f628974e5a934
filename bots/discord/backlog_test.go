package discord_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cornershop/bots/bottest"
	"cornershop/core"
	"cornershop/core/outbox"
)

// TestRestartReadsBackANewDeskThread: a desk thread whose first copy has
// not reached Discord yet holds nothing cornershop recorded, only its
// card. A staff reply written there while cornershop is down is in
// Discord's history alone; the next start reads the thread back from its
// card, records the reply and sends it to the customer.
func TestRestartReadsBackANewDeskThread(t *testing.T) {
	w := newWorld(t)
	db := filepath.Join(t.TempDir(), "cornershop.db")
	o := outbox.Options{BaseBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond, Poll: 50 * time.Millisecond, MaxAttempts: 5}
	// Discord holds the desk copy back for a minute.
	w.fake.RateLimitNext("POST /webhooks/", 1, 60)
	first := bottest.StartOn(t, db, relayConfig(w, w.desk.ID), o, w.bot(t, "thread"))
	w.connected(t)
	dm := w.fake.DMChannel(w.customer)
	if _, err := w.fake.Send(dm.ID, w.customer, "my parcel is late"); err != nil {
		t.Fatal(err)
	}
	c := conv(t, first, w, core.Place{Platform: core.Discord, Chat: dm.ID})
	bottest.Eventually(t, wait, "the desk copy refused with a 429", func() bool { return w.fake.PendingFaults() == 0 })
	first.Stop()
	bottest.Eventually(t, wait, "the gateway session gone", func() bool { return w.fake.Sessions() == 0 })

	if _, err := w.fake.Send(c.Desk.Thread, w.alice, "sorry about that, a new parcel leaves today"); err != nil {
		t.Fatal(err)
	}
	bottest.StartOn(t, db, relayConfig(w, w.desk.ID), o, w.bot(t, "thread"))
	bottest.Eventually(t, wait, "the reply written while down reaching the customer", func() bool {
		for _, m := range shown(w.fake.BotMessages(dm.ID)) {
			if strings.Contains(m.Text, "a new parcel leaves today") {
				return true
			}
		}
		return false
	})
}

package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestDemo runs `cornershop demo` and checks its transcript: each customer
// sees the reply in the staff member's voice, notes stay internal, customer
// text cannot ping a channel, and a failed delivery shows in the desk.
func TestDemo(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"demo"}, envOf(nil), &out, &errOut); err != nil {
		t.Fatalf("demo: %v\n%s\n%s", err, out.String(), errOut.String())
	}
	transcript := out.String()
	for _, want := range []string{
		"[Slack #support-desk] card:    Carla Customer — open.",
		"[Telegram] Carla sees:         Alice Martin · Customer Care\n",
		"Thanks for your patience, Carla! — Alice, Acme Support",
		"Assigned to Alice Martin",
		"[Telegram desk] new topic:     🟢 Dana from Globex · slack",
		"@\u2060channel our last invoice counts 12 seats", // defused: no Telegram mention
		"[Slack thread] Dana sees:      Bob Stone (Billing)  [avatar https://example.com/bob.png]",
		"[Discord thread] Erin sees:    Alice Martin (Customer Care)  [avatar https://example.com/alice.png, via webhook]",
		"(pings caused so far: 0)",
		"Not delivered at the customer on telegram: the customer blocked the bot",
		"New · 3 votes",
		"Planned · 3 votes",
		"[Telegram] Dave is told:       Alice Martin · Customer Care\n",
		"[embed by Alice Martin (Customer Care)]",
		// Self-help: published from the desk, suggested, solved.
		`published answer 1 "Where is my parcel?"`,
		"[📄 Where is my parcel?] [✅ This solved it] [🙋 I still need a person]",
		"[Telegram] Fay reads:          Where is my parcel?",
		"Suggested to the customer: #1 Where is my parcel?",
		"closed as self-served",
		// An incident: one update reaches three customers on three
		// platforms in Alice's voice; resolve closes their conversations.
		"Linked: 3 customer(s): 1 on discord, 1 on slack, 1 on telegram",
		"[Slack thread] Dana sees:      Alice Martin (Customer Care): Card payments fail right now",
		"[Discord thread] Erin sees:    Alice Martin (Customer Care): Card payments fail right now",
		"✅ Incident #1 resolved by Alice Martin: 3 conversation(s) closed.",
		"Delivery: 3 / 3 delivered",
	} {
		if !strings.Contains(transcript, want) {
			t.Errorf("transcript lacks %q:\n%s", want, transcript)
		}
	}
	if n := strings.Count(transcript, "is now Planned"); n != 3 {
		t.Errorf("the idea's move reached %d voters, want 3 (Carla, Dave, Erin):\n%s", n, transcript)
	}
	if strings.Contains(transcript, "Carla sees:         // Carrier") || strings.Count(transcript, "Carla sees:") != 2 {
		t.Errorf("the customer saw something other than the two replies:\n%s", transcript)
	}
}

// TestSecretsStayOutOfADemoRunsLogs runs the whole demo (traffic on all
// three platforms, a failed delivery) with every log at debug level and
// finds none of the configured secrets in any output.
func TestSecretsStayOutOfADemoRunsLogs(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"demo", "-v"}, envOf(map[string]string{"CORNERSHOP_LOG_LEVEL": "debug"}), &out, &errOut); err != nil {
		t.Fatalf("demo: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(errOut.String(), "level=DEBUG") && !strings.Contains(errOut.String(), "level=INFO") {
		t.Fatalf("the demo logged nothing; the scan would prove nothing:\n%s", errOut.String())
	}
	secrets := demoSecrets(t)
	for name, secret := range secrets {
		if secret == "" {
			t.Fatalf("no value for %s", name)
		}
		for where, s := range map[string]string{"stdout": out.String(), "logs": errOut.String()} {
			if strings.Contains(s, secret) {
				t.Errorf("the %s (%q) is in %s", name, secret, where)
			}
		}
	}
}

// demoSecrets are the credentials the demo configures: the emulators'
// defaults.
func demoSecrets(t *testing.T) map[string]string {
	t.Helper()
	tg, sl, dc := emulators(t)
	return map[string]string{"telegram token": tg.Token(), "slack bot token": sl.BotToken(), "slack app token": sl.AppToken(),
		"slack signing secret": sl.SigningSecret(), "discord token": dc.Token()}
}

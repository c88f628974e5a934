package main

import (
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"cornershop/bots/slack/slackfake"
)

// TestResponseFiguresMoveTheHistograms: a customer writes on Slack, Alice
// answers in the desk thread and closes it; /metrics then counts one first
// response and one resolution at the support desk, each observed by the
// replica that recorded it, not read from the database.
func TestResponseFiguresMoveTheHistograms(t *testing.T) {
	sl, desk, alice := slackWorld(t)
	env := slackDeskEnv(t, sl, desk, alice)
	env["CORNERSHOP_METRICS_REPLICA"] = "r1"
	public, _ := startServe(t, env)
	series := func(name string) float64 {
		t.Helper()
		_, body := get(t, public+"/metrics")
		m := regexp.MustCompile(regexp.QuoteMeta(name) + ` (\S+)`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("/metrics has no %s", name)
		}
		v, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	const (
		first    = `cornershop_first_response_seconds_count{desk="support",replica="r1"}`
		resolved = `cornershop_resolution_seconds_count{desk="support",replica="r1"}`
		met      = `cornershop_sla_clocks_total{desk="support",kind="first",outcome="met",priority="normal",replica="r1"}`
	)
	for _, name := range []string{first, resolved, met} {
		if v := series(name); v != 0 {
			t.Fatalf("%s = %v before any conversation, want 0", name, v)
		}
	}

	dana := sl.AddUser("dana", "Dana", "", false)
	if _, err := sl.Post(sl.DM(dana).ID, dana, "Where is my parcel?", ""); err != nil {
		t.Fatal(err)
	}
	var thread string
	eventually(t, 10*time.Second, "the desk thread", func() bool {
		for _, m := range sl.Messages(desk.ID, "") {
			if m.BotID != "" && m.ThreadTS == "" {
				thread = m.TS
				return true
			}
		}
		return false
	})
	if _, err := sl.Post(desk.ID, alice, "It leaves today.", thread); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "the first response counted", func() bool { return series(first) == 1 })
	if _, err := sl.Post(desk.ID, alice, "!close", thread); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "the resolution counted", func() bool { return series(resolved) == 1 })
	if v := series(first); v != 1 {
		t.Errorf("%s = %v after the close, want still 1", first, v)
	}
	if v := series(`cornershop_first_response_seconds_bucket{desk="support",replica="r1",le="+Inf"}`); v != 1 {
		t.Errorf("+Inf bucket = %v, want 1", v)
	}
}

// slackWorld starts the Slack emulator with the demo workspace and returns
// it, the desk channel and Alice.
func slackWorld(t *testing.T) (*slackfake.Server, slackfake.Channel, slackfake.User) {
	t.Helper()
	sl, err := slackfake.Start("127.0.0.1:0", slackfake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sl.Close() })
	desk, alice, _, _, _ := sl.SeedDemo()
	return sl, desk, alice
}

// slackDeskEnv configures serve by variables alone: a fresh SQLite file,
// the Slack emulator, the desk "support" in desk and Alice as staff.
func slackDeskEnv(t *testing.T, sl *slackfake.Server, desk slackfake.Channel, alice slackfake.User) map[string]string {
	return map[string]string{
		"CORNERSHOP_HTTP_LISTEN":              "127.0.0.1:0",
		"CORNERSHOP_DATABASE_DSN":             filepath.Join(t.TempDir(), "c.db"),
		"CORNERSHOP_SLACK_ENABLED":            "true",
		"CORNERSHOP_SLACK_BOT_TOKEN":          sl.BotToken(),
		"CORNERSHOP_SLACK_APP_TOKEN":          sl.AppToken(),
		"CORNERSHOP_SLACK_API_URL":            sl.APIURL(),
		"CORNERSHOP_DESKS_0_NAME":             "support",
		"CORNERSHOP_DESKS_0_PLATFORM":         "slack",
		"CORNERSHOP_DESKS_0_CHANNEL":          desk.ID,
		"CORNERSHOP_STAFF_0_ID":               "alice",
		"CORNERSHOP_STAFF_0_NAME":             "Alice Martin",
		"CORNERSHOP_STAFF_0_IDENTITIES_SLACK": alice.ID,
	}
}

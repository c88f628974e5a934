package slack

import (
	"testing"

	"cornershop/core"
)

func TestParseMessageLink(t *testing.T) {
	tests := []struct {
		link   string
		place  core.Place
		id     string
		wantOK bool
	}{
		{"https://acme.slack.com/archives/C0SHARED/p1700000000000100", core.Place{Platform: core.Slack, Chat: "C0SHARED"}, "1700000000.000100", true},
		{"<https://acme.slack.com/archives/C0SHARED/p1700000000000200?thread_ts=1700000000.000100&cid=C0SHARED>", core.Place{Platform: core.Slack, Chat: "C0SHARED", Thread: "1700000000.000100"}, "1700000000.000200", true},
		{"https://acme.slack-gov.com/archives/C1/p1700000000000100", core.Place{Platform: core.Slack, Chat: "C1"}, "1700000000.000100", true},
		{"https://evil.example/archives/C1/p1700000000000100", core.Place{}, "", false},
		{"http://acme.slack.com/archives/C1/p1700000000000100", core.Place{}, "", false},
		{"https://acme.slack.com/archives/C1", core.Place{}, "", false},
		{"https://discord.com/channels/1/2/3", core.Place{}, "", false},
	}
	for _, tc := range tests {
		place, id, ok := parseMessageLink(tc.link)
		if ok != tc.wantOK || place != tc.place || id != tc.id {
			t.Errorf("parseMessageLink(%q) = %+v %q %v, want %+v %q %v", tc.link, place, id, ok, tc.place, tc.id, tc.wantOK)
		}
	}
}

// TestMessageLinkRoundTrip: the permalinks a signal shows read back as the
// message they point at.
func TestMessageLinkRoundTrip(t *testing.T) {
	const ws = "https://acme.slack.com/"
	tests := []struct {
		place core.Place
		id    string
		want  string
	}{
		{core.Place{Platform: core.Slack, Chat: "C0123"}, "1700000000.000100", "https://acme.slack.com/archives/C0123/p1700000000000100"},
		{core.Place{Platform: core.Slack, Chat: "C0123", Thread: "1699999999.000200"}, "1700000000.000100",
			"https://acme.slack.com/archives/C0123/p1700000000000100?thread_ts=1699999999.000200&cid=C0123"},
		{core.Place{Platform: core.Slack, Chat: "C0123"}, "not-a-ts", ""},
	}
	for _, tc := range tests {
		got := messageLink(ws, tc.place, tc.id)
		if got != tc.want {
			t.Errorf("messageLink(%+v, %s) = %q, want %q", tc.place, tc.id, got, tc.want)
			continue
		}
		if got == "" {
			continue
		}
		if place, id, ok := parseMessageLink(got); !ok || place != tc.place || id != tc.id {
			t.Errorf("parseMessageLink(%q) = %+v %q %v, want %+v %q", got, place, id, ok, tc.place, tc.id)
		}
	}
	if got := messageLink("", core.Place{Chat: "C1"}, "1700000000.000100"); got != "" {
		t.Errorf("without a workspace address: %q, want none", got)
	}
}

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

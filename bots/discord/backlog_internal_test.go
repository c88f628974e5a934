package discord

import (
	"strconv"
	"testing"
)

func TestReadFrom(t *testing.T) {
	const id = "1577933797507203139"
	v, _ := strconv.ParseUint(id, 10, 64)
	minuteBefore := strconv.FormatUint((v>>22-60_000)<<22, 10)
	tests := []struct {
		name, cursor, last, after string
	}{
		{"a message", id, id, minuteBefore},
		{"a webhook post", webhookPrefix + id, id, minuteBefore},
		{"no cursor: from the start", "", "", "0"},
		{"not a snowflake: from the start", "card", "card", "0"},
		{"the first minute of the epoch", "4194304", "4194304", "0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			last, after := readFrom(tc.cursor)
			if last != tc.last || after != tc.after {
				t.Errorf("readFrom(%q) = %q, %q; want %q, %q", tc.cursor, last, after, tc.last, tc.after)
			}
		})
	}
}

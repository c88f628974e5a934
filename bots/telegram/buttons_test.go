package telegram

import (
	"encoding/json"
	"strings"
	"testing"

	"cornershop/core"
)

func TestKeyboard(t *testing.T) {
	tests := []struct {
		name    string
		buttons []core.Button
		want    []string // callback data, in order
		label   string   // the first label as sent
	}{
		{name: "none", buttons: nil},
		{name: "one a row", buttons: []core.Button{{Label: "📄 Refunds", Action: "answer", Args: []string{"1"}}, {Label: "✅ This solved it", Action: "solved", Args: []string{"12"}}},
			want: []string{"act:answer:1", "act:solved:12"}, label: "📄 Refunds"},
		{name: "hostile label is plain text", buttons: []core.Button{{Label: `<b>@everyone</b> <a href="https://evil">x</a>`, Action: "answer", Args: []string{"2"}}},
			want: []string{"act:answer:2"}, label: `<b>@everyone</b> <a href="https://evil">x</a>`},
		{name: "data over 64 bytes left out", buttons: []core.Button{{Label: "long", Action: "answer", Args: []string{strings.Repeat("9", 70)}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := keyboard(tc.buttons)
			if len(tc.want) == 0 {
				if got != "" {
					t.Fatalf("keyboard = %s, want none", got)
				}
				return
			}
			var kb struct {
				Rows [][]struct {
					Text string `json:"text"`
					Data string `json:"callback_data"`
				} `json:"inline_keyboard"`
			}
			if err := json.Unmarshal([]byte(got), &kb); err != nil {
				t.Fatal(err)
			}
			if len(kb.Rows) != len(tc.want) || kb.Rows[0][0].Text != tc.label {
				t.Fatalf("keyboard = %s", got)
			}
			for i, w := range tc.want {
				if len(kb.Rows[i]) != 1 || kb.Rows[i][0].Data != w {
					t.Errorf("row %d = %+v, want data %q", i, kb.Rows[i], w)
				}
			}
		})
	}
}

package slack

import (
	"encoding/json"
	"strings"
	"testing"

	"cornershop/core"
)

func TestButtonBlocks(t *testing.T) {
	bs := []core.Button{
		{Label: "📄 Refunds", Action: "answer", Args: []string{"1"}},
		{Label: "📄 <!channel> *bold* <https://evil|x>", Action: "answer", Args: []string{"2"}},
		{Label: "✅ This solved it", Action: "solved", Args: []string{"12"}},
	}
	b, err := json.Marshal(buttonBlocks("These may help:", bs))
	if err != nil {
		t.Fatal(err)
	}
	got := string(b)
	for _, want := range []string{
		`"action_id":"cornershop:answer#0","value":"1"`,
		`"action_id":"cornershop:answer#1","value":"2"`,
		`"action_id":"cornershop:solved#2","value":"12"`,
		`"style":"primary"`,
		`{"type":"plain_text","text":"📄 \u003c!channel\u003e *bold* \u003chttps://evil|x\u003e","emoji":true}`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("blocks lack %s:\n%s", want, got)
		}
	}
	if strings.Count(got, `"type":"button"`) != 3 {
		t.Errorf("want three buttons:\n%s", got)
	}
}

package telegram

import (
	"encoding/json"
	"strings"

	"cornershop/core"
)

// maxCallbackData is Telegram's limit on a button's callback_data (bytes).
const maxCallbackData = 64

// keyboard renders buttons (survey faces, answer results, suggestions) as
// an inline keyboard, one button a row; each press comes back as a
// callback "act:<action>:<args…>" (see onCallback).
// Labels are plain text: Telegram shows them as they are, so nothing in
// them can mention anyone or hide a link. A button whose data would not
// fit is left out. "" when there are no buttons.
func keyboard(bs []core.Button) string {
	var rows [][]map[string]string
	for _, b := range bs {
		data := "act:" + strings.Join(append([]string{b.Action}, b.Args...), ":")
		if len(data) > maxCallbackData {
			continue
		}
		rows = append(rows, []map[string]string{{"text": b.Label, "callback_data": data}})
	}
	if len(rows) == 0 {
		return ""
	}
	out, _ := json.Marshal(map[string]any{"inline_keyboard": rows}) // strings always encode
	return string(out)
}

// clipRunes cuts s to at most n runes, marking the cut with "…".
func clipRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

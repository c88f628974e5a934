package telegram

import (
	"encoding/json"
	"strings"

	"cornershop/core"
)

// inlineKeyboard renders buttons as one row of an inline keyboard (the
// reply_markup parameter); a press comes back as a callback query whose
// data is "act:<action>:<args…>" (see onCallback). "" for no buttons.
func inlineKeyboard(buttons []core.Button) string {
	if len(buttons) == 0 {
		return ""
	}
	type button struct {
		Text         string `json:"text"`
		CallbackData string `json:"callback_data"`
	}
	row := make([]button, len(buttons))
	for i, bt := range buttons {
		row[i] = button{Text: bt.Label, CallbackData: "act:" + strings.Join(append([]string{bt.Action}, bt.Args...), ":")}
	}
	b, err := json.Marshal(map[string][][]button{"inline_keyboard": {row}})
	if err != nil {
		return "" // plain strings always marshal
	}
	return string(b)
}

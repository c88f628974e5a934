package telegramfake

import "errors"

// FormatMessage does to text what sendMessage does before storing it:
// validates the UTF-8, parses parse_mode ("HTML", "MarkdownV2",
// "Markdown" or ""), trims, detects entities and applies the 1–4096
// character limit. It returns the text users see and its entities, or the
// description Telegram would answer after "Bad Request: ". Tests use it
// to check a formatter's output without a server.
func FormatMessage(text, parseMode string) (shown string, entities []Entity, err error) {
	f, bad := formatText(text, parseMode, "")
	switch {
	case bad != "":
		return "", nil, errors.New(bad)
	case f.Text == "":
		return "", nil, errors.New("message text is empty")
	case utf16Len(f.Text) > maxText:
		return "", nil, errors.New("message is too long")
	}
	return f.Text, f.Entities, nil
}

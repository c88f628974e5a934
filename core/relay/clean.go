package relay

import (
	"strings"

	"cornershop/core"
)

// cleanText makes text storable anywhere: invalid UTF-8 and NUL, which
// PostgreSQL refuses in text ("invalid byte sequence for encoding UTF8"),
// become U+FFFD, so the reader still sees that something was there. An
// event the store refuses would be retried by its platform forever and,
// on Telegram, hold back every update after it.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "\uFFFD")
	}
	return s
}

func cleanSender(s core.Sender) core.Sender {
	s.UserID, s.Handle, s.Name, s.AvatarURL = cleanText(s.UserID), cleanText(s.Handle), cleanText(s.Name), cleanText(s.AvatarURL)
	return s
}

func cleanPlace(p core.Place) core.Place {
	p.Chat, p.Thread = cleanText(p.Chat), cleanText(p.Thread)
	return p
}

// clean applies cleanText to every string an event carries.
func clean(e core.Event) core.Event {
	switch e := e.(type) {
	case core.MessageEvent:
		e.Place, e.ID, e.Sender, e.Text = cleanPlace(e.Place), cleanText(e.ID), cleanSender(e.Sender), cleanText(e.Text)
		if len(e.Attachments) > 0 {
			as := make([]core.Attachment, len(e.Attachments))
			for i, a := range e.Attachments {
				a.Name, a.ContentType, a.Ref = cleanText(a.Name), cleanText(a.ContentType), cleanText(a.Ref)
				as[i] = a
			}
			e.Attachments = as
		}
		return e
	case core.EditEvent:
		e.Place, e.ID, e.Sender, e.Text = cleanPlace(e.Place), cleanText(e.ID), cleanSender(e.Sender), cleanText(e.Text)
		return e
	case core.DeleteEvent:
		e.Place, e.ID = cleanPlace(e.Place), cleanText(e.ID)
		return e
	case core.ReactionEvent:
		e.Place, e.ID, e.Sender, e.Emoji = cleanPlace(e.Place), cleanText(e.ID), cleanSender(e.Sender), cleanText(e.Emoji)
		return e
	case core.ActionEvent:
		e.Place, e.ID, e.Sender, e.Name, e.Ref = cleanPlace(e.Place), cleanText(e.ID), cleanSender(e.Sender), cleanText(e.Name), cleanText(e.Ref)
		if len(e.Args) > 0 {
			args := make([]string, len(e.Args))
			for i, a := range e.Args {
				args[i] = cleanText(a)
			}
			e.Args = args
		}
		return e
	}
	return e
}

package slack

import (
	"regexp"
	"strings"
)

// escaper makes text inert in Slack mrkdwn: escaping &, < and > is all
// Slack asks, and it is enough to stop <!channel>, <!here>, <@U…> and
// links from being written by customer text.
var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func escape(text string) string { return escaper.Replace(text) }

var (
	userRef    = regexp.MustCompile(`<@([UW][A-Z0-9]+)(?:\|([^>]*))?>`)
	chanRef    = regexp.MustCompile(`<#(C[A-Z0-9]+)(?:\|([^>]*))?>`)
	specialRef = regexp.MustCompile(`<!(here|channel|everyone)(?:\|[^>]*)?>`)
	groupRef   = regexp.MustCompile(`<!subteam\^[A-Z0-9]+(?:\|([^>]*))?>`)
	linkRef    = regexp.MustCompile(`<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>`)
	unescaper  = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")
)

// plain turns Slack's inbound markup into neutral text: mentions become
// @names (resolved by name when known), links "label (url)", and the three
// escaped characters come back.
func plain(text string, name func(userID string) string) string {
	text = userRef.ReplaceAllStringFunc(text, func(m string) string {
		sub := userRef.FindStringSubmatch(m)
		if sub[2] != "" {
			return "@" + sub[2]
		}
		if name != nil {
			if n := name(sub[1]); n != "" {
				return "@" + n
			}
		}
		return "@" + sub[1]
	})
	text = chanRef.ReplaceAllStringFunc(text, func(m string) string {
		sub := chanRef.FindStringSubmatch(m)
		if sub[2] != "" {
			return "#" + sub[2]
		}
		return "#" + sub[1]
	})
	text = specialRef.ReplaceAllString(text, "@$1")
	text = groupRef.ReplaceAllStringFunc(text, func(m string) string {
		sub := groupRef.FindStringSubmatch(m)
		if sub[1] != "" {
			return sub[1]
		}
		return "@group"
	})
	text = linkRef.ReplaceAllStringFunc(text, func(m string) string {
		sub := linkRef.FindStringSubmatch(m)
		if sub[2] == "" || sub[2] == sub[1] {
			return sub[1]
		}
		return sub[2] + " (" + sub[1] + ")"
	})
	return unescaper.Replace(text)
}

// emojiNames maps the reactions other platforms send (Unicode) to Slack's
// names, and back.
var emojiNames = map[string]string{
	"👍": "+1", "👎": "-1", "❤️": "heart", "❤": "heart", "🔥": "fire", "😂": "joy", "🎉": "tada", "👀": "eyes",
	"✅": "white_check_mark", "🙏": "pray", "😮": "open_mouth", "😢": "cry", "👏": "clap", "🚀": "rocket", "💯": "100",
}

func emojiName(unicode string) (string, bool) {
	if n, ok := emojiNames[unicode]; ok {
		return n, true
	}
	return "", false
}

func emojiFromName(name string) string {
	switch name {
	case "thumbsup":
		return "👍"
	case "thumbsdown":
		return "👎"
	}
	for u, n := range emojiNames {
		if n == name && u != "❤" {
			return u
		}
	}
	return ":" + name + ":"
}

// maxText keeps each Slack message short enough to render well; Slack
// truncates at 40,000 characters and advises 4,000.
const maxText = 3900

// slashCommand is the slash command a Slack app registers for cornershop
// (see the package doc): "/vote 3" elsewhere is "/cornershop vote 3" here.
const slashCommand = "/cornershop"

// customerCommand finds a customer command written the way other
// platforms type it, where a command can start.
var customerCommand = regexp.MustCompile(`(^|[\s(“"'])/(link|idea|ideas|vote|help|start)\b`)

// asSlash rewrites the customer commands in cornershop's own text (a
// command's answer) as Slack runs them.
func asSlash(text string) string {
	return customerCommand.ReplaceAllString(text, "${1}"+slashCommand+" $2")
}

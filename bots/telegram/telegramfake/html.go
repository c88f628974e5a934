package telegramfake

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Entity is a MessageEntity as the Bot API returns it: a formatted or
// detected span of a message's text, with offset and length counted in
// UTF-16 code units.
type Entity struct {
	Type     string `json:"type"`
	Offset   int    `json:"offset"`
	Length   int    `json:"length"`
	URL      string `json:"url,omitempty"`
	Language string `json:"language,omitempty"`
	// CustomEmojiID is set for custom_emoji entities.
	CustomEmojiID string `json:"custom_emoji_id,omitempty"`
	// User is the user a text_mention notifies.
	User *EntityUser `json:"user,omitempty"`
}

// EntityUser is the user of a text_mention entity (its id only).
type EntityUser struct {
	ID int64 `json:"id"`
}

// htmlTagEntity maps the tags Telegram accepts in parse_mode HTML to the
// entity type they produce; ok is false for any other tag.
func htmlTagEntity(tag string) (string, bool) {
	switch tag {
	case "b", "strong":
		return "bold", true
	case "i", "em":
		return "italic", true
	case "u", "ins":
		return "underline", true
	case "s", "strike", "del":
		return "strikethrough", true
	case "span", "tg-spoiler":
		return "spoiler", true
	case "a":
		return "text_link", true
	case "code", "pre", "blockquote":
		return tag, true
	case "tg-emoji":
		return "custom_emoji", true
	}
	return "", false
}

type openTag struct {
	name, arg string
	off16     int // UTF-16 offset in the output where the tag opened
}

// parseHTML parses text the way Telegram's servers (tdlib's parse_html)
// do for parse_mode HTML and returns the plain text users see and its
// entities. Errors carry Telegram's wording, which the Bot API prefixes
// with "Bad Request: can't parse entities: ".
//
// As on Telegram: only the documented tags are accepted; "<" must start a
// tag; end tags must match; the entities &lt; &gt; &amp; &quot; and
// numeric references are decoded (the ";" is optional) and any other "&"
// is kept literally.
func parseHTML(text string) (string, []Entity, error) {
	var out strings.Builder
	var stack []openTag
	var ents []Entity
	off16 := 0
	at := func(i int) byte {
		if i < len(text) {
			return text[i]
		}
		return 0
	}
	for i := 0; i < len(text); {
		c := text[i]
		if c == '&' {
			if r, n := decodeEntity(text[i:]); n > 0 {
				out.WriteRune(r)
				off16 += utf16.RuneLen(r)
				i += n
				continue
			}
		}
		if c != '<' {
			r, n := utf8.DecodeRuneInString(text[i:])
			out.WriteString(text[i : i+n])
			off16 += utf16.RuneLen(r)
			i += n
			continue
		}
		begin := i
		i++
		if at(i) != '/' {
			for i < len(text) && !isSpace(text[i]) && text[i] != '>' {
				i++
			}
			if i >= len(text) {
				return "", nil, fmt.Errorf("Unclosed start tag at byte offset %d", begin)
			}
			name := strings.ToLower(text[begin+1 : i])
			if _, ok := htmlTagEntity(name); !ok {
				return "", nil, fmt.Errorf("Unsupported start tag \"%s\" at byte offset %d", name, begin)
			}
			arg, next, err := parseAttributes(text, i, begin, name)
			if err != nil {
				return "", nil, err
			}
			i = next + 1 // past '>'
			if name == "span" && arg != "spoiler" {
				return "", nil, fmt.Errorf("Tag \"span\" must have class \"tg-spoiler\" at byte offset %d", begin)
			}
			stack = append(stack, openTag{name: name, arg: arg, off16: off16})
			continue
		}
		if len(stack) == 0 {
			return "", nil, fmt.Errorf("Unexpected end tag at byte offset %d", begin)
		}
		for i < len(text) && !isSpace(text[i]) && text[i] != '>' {
			i++
		}
		endName := text[begin+2 : i]
		for i < len(text) && isSpace(text[i]) {
			i++
		}
		if at(i) != '>' {
			return "", nil, fmt.Errorf("Unclosed end tag at byte offset %d", begin)
		}
		i++
		top := stack[len(stack)-1]
		if endName != "" && endName != top.name {
			return "", nil, fmt.Errorf("Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", begin, top.name, endName)
		}
		stack = stack[:len(stack)-1]
		if off16 > top.off16 {
			e, ok := tagEntity(top, off16, out.String())
			if n := len(ents); ok && top.name == "pre" && n > 0 && ents[n-1].Type == "pre" && ents[n-1].Language != "" &&
				ents[n-1].Offset == e.Offset && ents[n-1].Length == e.Length {
				ok = false // <pre><code class="language-x"> is one pre entity with a language
			}
			if ok {
				ents = append(ents, e)
			}
		}
	}
	if len(stack) > 0 {
		return "", nil, fmt.Errorf("Can't find end tag corresponding to start tag \"%s\"", stack[len(stack)-1].name)
	}
	sortEntities(ents)
	return out.String(), ents, nil
}

// parseAttributes reads a start tag's attributes from text[i:] up to its
// '>' and returns the argument Telegram keeps (href, language, spoiler
// class, emoji-id) and the index of the '>'.
func parseAttributes(text string, i, begin int, tag string) (string, int, error) {
	at := func(i int) byte {
		if i < len(text) {
			return text[i]
		}
		return 0
	}
	arg := ""
	for at(i) != '>' {
		for i < len(text) && isSpace(text[i]) {
			i++
		}
		if at(i) == '>' {
			break
		}
		nameStart := i
		for i < len(text) && !isSpace(text[i]) && text[i] != '=' && text[i] != '>' {
			i++
		}
		attr := text[nameStart:i]
		if attr == "" {
			return "", 0, fmt.Errorf("Empty attribute name in the tag \"%s\" at byte offset %d", tag, begin)
		}
		for i < len(text) && isSpace(text[i]) {
			i++
		}
		if at(i) != '=' {
			// An attribute without a value, e.g. <blockquote expandable>.
			if i >= len(text) {
				return "", 0, fmt.Errorf("Unclosed start tag at byte offset %d", begin)
			}
			if tag == "blockquote" && attr == "expandable" {
				arg = "1"
			}
			continue
		}
		i++
		for i < len(text) && isSpace(text[i]) {
			i++
		}
		if i >= len(text) {
			return "", 0, fmt.Errorf("Unclosed start tag \"%s\" at byte offset %d", tag, begin)
		}
		var value strings.Builder
		if q := text[i]; q != '\'' && q != '"' {
			start := i
			for i < len(text) && (isAlnum(text[i]) || text[i] == '.' || text[i] == '-') {
				i++
			}
			value.WriteString(strings.ToLower(text[start:i]))
			if c := at(i); !isSpace(c) && c != '>' {
				return "", 0, fmt.Errorf("Unexpected end of name token at byte offset %d", start)
			}
		} else {
			i++
			for i < len(text) && text[i] != q {
				if r, n := decodeEntity(text[i:]); text[i] == '&' && n > 0 {
					value.WriteRune(r)
					i += n
					continue
				}
				value.WriteByte(text[i])
				i++
			}
			if at(i) == q {
				i++
			}
		}
		if i >= len(text) {
			return "", 0, fmt.Errorf("Unclosed start tag at byte offset %d", begin)
		}
		v := value.String()
		switch {
		case tag == "a" && attr == "href", tag == "tg-emoji" && attr == "emoji-id":
			arg = v
		case tag == "code" && attr == "class" && strings.HasPrefix(v, "language-"):
			arg = v[len("language-"):]
		case tag == "span" && attr == "class" && strings.HasPrefix(v, "tg-"):
			arg = v[len("tg-"):]
		case tag == "blockquote" && attr == "expandable":
			arg = "1"
		}
	}
	return arg, i, nil
}

// tagEntity turns a closed tag into its entity; links without a usable URL
// produce none, as on Telegram.
func tagEntity(t openTag, end16 int, shown string) (Entity, bool) {
	typ, _ := htmlTagEntity(t.name)
	e := Entity{Type: typ, Offset: t.off16, Length: end16 - t.off16}
	switch t.name {
	case "a":
		url := t.arg
		if url == "" {
			url = string(utf16.Decode(utf16.Encode([]rune(shown))[t.off16:end16]))
		}
		if id, ok := strings.CutPrefix(url, "tg://user?id="); ok && id != "" {
			uid, err := strconv.ParseInt(id, 10, 64)
			if err != nil {
				return Entity{}, false
			}
			return Entity{Type: "text_mention", Offset: e.Offset, Length: e.Length, User: &EntityUser{ID: uid}}, true
		}
		if !strings.Contains(url, ".") && !strings.Contains(url, "://") {
			return Entity{}, false
		}
		if !strings.Contains(url, "://") {
			url = "http://" + url
		}
		e.URL = url
	case "code":
		if t.arg != "" {
			e.Type, e.Language = "pre", t.arg
		}
	case "tg-emoji":
		e.CustomEmojiID = t.arg
	case "blockquote":
		if t.arg == "1" {
			e.Type = "expandable_blockquote"
		}
	}
	return e, true
}

// decodeEntity decodes the character reference at the start of s as tdlib
// does, returning the rune and the bytes consumed (0: not a reference).
func decodeEntity(s string) (rune, int) {
	if len(s) < 2 || s[0] != '&' {
		return 0, 0
	}
	end := 1
	var r rune
	if s[1] == '#' {
		end = 2
		if end < len(s) && s[end] == 'x' {
			end++
			for end < len(s) && isHex(s[end]) && r < 0x110000 {
				r = r*16 + rune(hexVal(s[end]))
				end++
			}
		} else {
			for end < len(s) && s[end] >= '0' && s[end] <= '9' && r < 0x110000 {
				r = r*10 + rune(s[end]-'0')
				end++
			}
		}
		if r == 0 || r >= 0x10ffff || end >= 10 {
			return 0, 0
		}
	} else {
		for end < len(s) && isAlpha(s[end]) {
			end++
		}
		switch s[1:end] {
		case "lt":
			r = '<'
		case "gt":
			r = '>'
		case "amp":
			r = '&'
		case "quot":
			r = '"'
		default:
			return 0, 0
		}
	}
	if end < len(s) && s[end] == ';' {
		end++
	}
	return r, end
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'
}
func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isAlnum(c byte) bool { return isAlpha(c) || c >= '0' && c <= '9' }
func isHex(c byte) bool   { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func hexVal(c byte) int {
	switch {
	case c >= 'a':
		return int(c-'a') + 10
	case c >= 'A':
		return int(c-'A') + 10
	}
	return int(c - '0')
}

// utf16Len is the length Telegram counts: UTF-16 code units.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

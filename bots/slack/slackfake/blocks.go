package slackfake

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// Block Kit limits Slack enforces on chat.postMessage and chat.update
// (docs.slack.dev/reference/block-kit/blocks), in characters.
const (
	maxBlocks          = 50
	maxSectionText     = 3000
	maxSectionFields   = 10
	maxFieldText       = 2000
	maxContextElements = 10
	maxContextText     = 3000
	maxActionElements  = 25
	maxButtonText      = 75
	maxHeaderText      = 150
)

// blockProblems checks a message's blocks as Slack does and describes
// each breach the way Slack's "errors" list does, with a JSON pointer;
// none means the blocks are accepted. Unparseable JSON is one problem.
func blockProblems(raw string) []string {
	var blocks []map[string]any
	if err := json.Unmarshal([]byte(raw), &blocks); err != nil {
		return []string{"invalid JSON [json-pointer:/blocks]"}
	}
	var out []string
	bad := func(at, format string, args ...any) {
		out = append(out, fmt.Sprintf(format, args...)+" [json-pointer:/blocks/"+at+"]")
	}
	if len(blocks) > maxBlocks {
		bad("", "no more than %d items allowed", maxBlocks)
	}
	text := func(at string, obj any, limit int, required bool) {
		t, _ := obj.(map[string]any)
		s, _ := t["text"].(string)
		switch n := utf8.RuneCountInString(s); {
		case n > limit:
			bad(at+"/text", "must be less than %d characters", limit+1)
		case required && n == 0:
			bad(at+"/text", "must be more than 0 characters")
		}
	}
	for i, b := range blocks {
		at := fmt.Sprint(i)
		switch b["type"] {
		case "section":
			if b["text"] != nil {
				text(at+"/text", b["text"], maxSectionText, true)
			}
			fields, _ := b["fields"].([]any)
			if len(fields) > maxSectionFields {
				bad(at+"/fields", "no more than %d items allowed", maxSectionFields)
			}
			for j, f := range fields {
				text(fmt.Sprintf("%s/fields/%d", at, j), f, maxFieldText, true)
			}
			if b["text"] == nil && len(fields) == 0 {
				bad(at, "must provide text or fields")
			}
		case "header":
			text(at+"/text", b["text"], maxHeaderText, true)
		case "context":
			els, _ := b["elements"].([]any)
			if len(els) > maxContextElements {
				bad(at+"/elements", "no more than %d items allowed", maxContextElements)
			}
			for j, e := range els {
				if m, _ := e.(map[string]any); m["type"] == "mrkdwn" || m["type"] == "plain_text" {
					text(fmt.Sprintf("%s/elements/%d", at, j), e, maxContextText, true)
				}
			}
		case "actions":
			els, _ := b["elements"].([]any)
			if len(els) > maxActionElements {
				bad(at+"/elements", "no more than %d items allowed", maxActionElements)
			}
			for j, e := range els {
				if m, _ := e.(map[string]any); m["type"] == "button" {
					text(fmt.Sprintf("%s/elements/%d/text", at, j), m["text"], maxButtonText, true)
				}
			}
		}
	}
	return out
}

// invalidBlocks is Slack's answer to blocks it refuses.
func invalidBlocks(problems []string) map[string]any {
	return map[string]any{"ok": false, "error": "invalid_blocks", "errors": problems,
		"response_metadata": map[string]any{"messages": problems}}
}

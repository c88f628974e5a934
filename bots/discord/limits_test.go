package discord

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
)

func TestFitEmbed(t *testing.T) {
	fields := func(n, value int) []*discordgo.MessageEmbedField {
		var fs []*discordgo.MessageEmbedField
		for i := range n {
			fs = append(fs, &discordgo.MessageEmbedField{Name: fmt.Sprint("f", i), Value: strings.Repeat("v", value)})
		}
		return fs
	}
	tests := []struct {
		name       string
		embed      *discordgo.MessageEmbed
		keep       int
		wantFields int
		last       string // the last field's value starts so, when set
	}{
		{"small stays whole", &discordgo.MessageEmbed{Title: "t", Fields: fields(3, 10)}, 0, 3, "vvv"},
		{"over 25 fields", &discordgo.MessageEmbed{Fields: fields(40, 1)}, 0, 25, "… 16 more fields"},
		{"over 6000 in all", &discordgo.MessageEmbed{Fields: fields(10, 1000)}, 0, 6, "… 5 more fields"},
		{"kept fields are cut, not dropped", &discordgo.MessageEmbed{Description: strings.Repeat("d", 4000), Fields: fields(4, 1024)}, 4, 4, "vvv"},
		{"parts over their own limit", &discordgo.MessageEmbed{Title: strings.Repeat("t", 300), Footer: &discordgo.MessageEmbedFooter{Text: strings.Repeat("f", 3000)},
			Fields: []*discordgo.MessageEmbedField{{Name: strings.Repeat("n", 300), Value: strings.Repeat("v", 2000)}}}, 1, 1, "vvv"},
		{"empty name and value get a dash", &discordgo.MessageEmbed{Fields: []*discordgo.MessageEmbedField{{Name: " ", Value: ""}}}, 0, 1, "—"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fitEmbed(tc.embed, tc.keep)
			if problems := embedProblems(tc.embed); len(problems) > 0 {
				t.Errorf("still over Discord's limits: %v", problems)
			}
			if len(tc.embed.Fields) != tc.wantFields {
				t.Errorf("%d fields, want %d", len(tc.embed.Fields), tc.wantFields)
			}
			if last := tc.embed.Fields[len(tc.embed.Fields)-1]; !strings.HasPrefix(last.Value, tc.last) {
				t.Errorf("last field %q, want it to start %q", last.Value, tc.last)
			}
		})
	}
}

func TestFitComponents(t *testing.T) {
	button := func(label, id string) discordgo.MessageComponent {
		return discordgo.Button{Label: label, CustomID: id, Style: discordgo.PrimaryButton}
	}
	var many []discordgo.MessageComponent
	for i := range 8 {
		many = append(many, button("b", fmt.Sprint("id", i)))
	}
	var rows []discordgo.MessageComponent
	for range 7 {
		rows = append(rows, discordgo.ActionsRow{Components: many})
	}
	tests := []struct {
		name    string
		in      []discordgo.MessageComponent
		rows    int
		buttons int // in the first row
	}{
		{"one button", []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{button("Close", "x")}}}, 1, 1},
		{"7 rows of 8", rows, 5, 5},
		{"long label cut, long id left out", []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			button(strings.Repeat("l", 200), "ok"), button("b", strings.Repeat("i", 101))}}}, 1, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := fitComponents(tc.in)
			if problems := componentProblems(got); len(problems) > 0 {
				t.Errorf("still over Discord's limits: %v", problems)
			}
			if len(got) != tc.rows || len(got[0].(discordgo.ActionsRow).Components) != tc.buttons {
				t.Errorf("%d rows, %d buttons in the first; want %d, %d", len(got), len(got[0].(discordgo.ActionsRow).Components), tc.rows, tc.buttons)
			}
		})
	}
}

// embedProblems checks an embed against Discord's documented limits
// (message.mdx §Embed Limits), counting characters on its own.
func embedProblems(e *discordgo.MessageEmbed) []string {
	var out []string
	total := 0
	part := func(what, s string, limit int, required bool) {
		n := utf8.RuneCountInString(s)
		total += n
		if n > limit {
			out = append(out, fmt.Sprintf("%s is %d characters, over %d", what, n, limit))
		}
		if required && strings.TrimSpace(s) == "" {
			out = append(out, what+" is empty")
		}
		if !utf8.ValidString(s) {
			out = append(out, what+" is not valid UTF-8")
		}
	}
	part("title", e.Title, 256, false)
	part("description", e.Description, 4096, false)
	if e.Footer != nil {
		part("footer", e.Footer.Text, 2048, false)
	}
	if e.Author != nil {
		part("author", e.Author.Name, 256, false)
	}
	if len(e.Fields) > 25 {
		out = append(out, fmt.Sprintf("%d fields, over 25", len(e.Fields)))
	}
	for i, f := range e.Fields {
		part(fmt.Sprint("field ", i, " name"), f.Name, 256, true)
		part(fmt.Sprint("field ", i, " value"), f.Value, 1024, true)
	}
	if total > 6000 {
		out = append(out, fmt.Sprintf("%d characters in all, over 6000", total))
	}
	return out
}

// componentProblems checks components against Discord's limits: 5 action
// rows of 5 buttons, labels of 80 characters, custom ids of 100.
func componentProblems(rows []discordgo.MessageComponent) []string {
	var out []string
	if len(rows) > 5 {
		out = append(out, fmt.Sprintf("%d rows, over 5", len(rows)))
	}
	for _, r := range rows {
		row := r.(discordgo.ActionsRow)
		if len(row.Components) > 5 {
			out = append(out, fmt.Sprintf("%d buttons in a row, over 5", len(row.Components)))
		}
		for _, c := range row.Components {
			b := c.(discordgo.Button)
			if n := utf8.RuneCountInString(b.Label); n > 80 {
				out = append(out, fmt.Sprintf("label of %d characters, over 80", n))
			}
			if n := utf8.RuneCountInString(b.CustomID); n > 100 {
				out = append(out, fmt.Sprintf("custom_id of %d characters, over 100", n))
			}
		}
	}
	return out
}

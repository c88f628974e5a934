package discordfake_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"cornershop/bots/discord/discordfake"
)

// TestEmbedAndComponentLimits: the emulator refuses what Discord refuses —
// each embed part over its limit, more than 25 fields, an empty field,
// 6,000 characters over all parts (counted in characters, so 6,000 "é"
// pass), more than 5 action rows or 5 buttons in a row, a label over 80
// characters — with 400 Invalid Form Body (50035) at the offending path,
// on sends and on edits, and accepts each right at its limit.
func TestEmbedAndComponentLimits(t *testing.T) {
	s, dg := start(t, discordfake.Options{})
	d := s.SeedDemoWorld()
	none := &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
	fields := func(n, name, value int) []*discordgo.MessageEmbedField {
		out := make([]*discordgo.MessageEmbedField, n)
		for i := range out {
			out[i] = &discordgo.MessageEmbedField{Name: strings.Repeat("n", name), Value: strings.Repeat("é", value)}
		}
		return out
	}
	button := func(label string, i int) discordgo.MessageComponent {
		return discordgo.Button{Label: label, Style: discordgo.PrimaryButton, CustomID: fmt.Sprint("b", i)}
	}
	row := func(n int, label string) discordgo.MessageComponent {
		var bs []discordgo.MessageComponent
		for i := range n {
			bs = append(bs, button(label, i))
		}
		return discordgo.ActionsRow{Components: bs}
	}
	rows := func(n int) []discordgo.MessageComponent {
		var out []discordgo.MessageComponent
		for range n {
			out = append(out, row(1, "x"))
		}
		return out
	}
	embed := func(e discordgo.MessageEmbed) []*discordgo.MessageEmbed { return []*discordgo.MessageEmbed{&e} }
	tests := []struct {
		name   string
		embeds []*discordgo.MessageEmbed
		comps  []discordgo.MessageComponent
		field  string // "" when accepted
		code   string
	}{
		{"title 256", embed(discordgo.MessageEmbed{Title: strings.Repeat("t", 256)}), nil, "", ""},
		{"title 257", embed(discordgo.MessageEmbed{Title: strings.Repeat("t", 257)}), nil, "embeds.0.title", "BASE_TYPE_MAX_LENGTH"},
		{"description 4097", embed(discordgo.MessageEmbed{Description: strings.Repeat("d", 4097)}), nil, "embeds.0.description", "BASE_TYPE_MAX_LENGTH"},
		{"footer 2049", embed(discordgo.MessageEmbed{Footer: &discordgo.MessageEmbedFooter{Text: strings.Repeat("f", 2049)}}), nil, "embeds.0.footer.text", "BASE_TYPE_MAX_LENGTH"},
		{"author 257", embed(discordgo.MessageEmbed{Title: "t", Author: &discordgo.MessageEmbedAuthor{Name: strings.Repeat("a", 257)}}), nil, "embeds.0.author.name", "BASE_TYPE_MAX_LENGTH"},
		{"field name 257", embed(discordgo.MessageEmbed{Fields: fields(1, 257, 1)}), nil, "embeds.0.fields.0.name", "BASE_TYPE_MAX_LENGTH"},
		{"field value 1025", embed(discordgo.MessageEmbed{Fields: fields(1, 1, 1025)}), nil, "embeds.0.fields.0.value", "BASE_TYPE_MAX_LENGTH"},
		{"empty field value", embed(discordgo.MessageEmbed{Fields: fields(1, 1, 0)}), nil, "embeds.0.fields.0.value", "BASE_TYPE_REQUIRED"},
		{"25 fields", embed(discordgo.MessageEmbed{Fields: fields(25, 1, 1)}), nil, "", ""},
		{"26 fields", embed(discordgo.MessageEmbed{Fields: fields(26, 1, 1)}), nil, "embeds.0.fields", "BASE_TYPE_MAX_LENGTH"},
		{"6000 characters in all", embed(discordgo.MessageEmbed{Title: strings.Repeat("t", 140), Fields: fields(5, 149, 1023)}), nil, "", ""},
		{"6001 characters in all", embed(discordgo.MessageEmbed{Title: strings.Repeat("t", 141), Fields: fields(5, 149, 1023)}), nil, "embeds", "MAX_EMBED_SIZE_EXCEEDED"},
		{"5 rows of 5", nil, []discordgo.MessageComponent{row(5, "x"), row(5, "x"), row(5, "x"), row(5, "x"), row(5, "x")}, "", ""},
		{"6 rows", nil, rows(6), "components", "BASE_TYPE_MAX_LENGTH"},
		{"6 buttons in a row", nil, []discordgo.MessageComponent{row(6, "x")}, "components.0.components", "BASE_TYPE_MAX_LENGTH"},
		{"label 80", nil, []discordgo.MessageComponent{row(1, strings.Repeat("l", 80))}, "", ""},
		{"label 81", nil, []discordgo.MessageComponent{row(1, strings.Repeat("l", 81))}, "components.0.components.0.label", "BASE_TYPE_MAX_LENGTH"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			send := &discordgo.MessageSend{Content: "x", Embeds: tc.embeds, Components: tc.comps, AllowedMentions: none}
			msg, err := dg.ChannelMessageSendComplex(d.Support.ID, send)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("send refused within the limits: %v", err)
				}
			} else {
				wantCode(t, err, 50035, tc.field, tc.code)
				if msg, err = dg.ChannelMessageSendComplex(d.Support.ID, &discordgo.MessageSend{Content: "x", AllowedMentions: none}); err != nil {
					t.Fatal(err)
				}
			}
			embeds, comps := tc.embeds, tc.comps
			_, err = dg.ChannelMessageEditComplex(&discordgo.MessageEdit{ID: msg.ID, Channel: d.Support.ID, Embeds: &embeds, Components: &comps, AllowedMentions: none})
			if tc.field == "" {
				if err != nil {
					t.Fatalf("edit refused within the limits: %v", err)
				}
				return
			}
			wantCode(t, err, 50035, tc.field, tc.code)
		})
	}
}

// TestDenyThreads: without the permission to start threads in a channel,
// the bot's thread starts there answer 403 Missing Permissions (50013);
// it still posts there, and other channels are unaffected.
func TestDenyThreads(t *testing.T) {
	s, dg := start(t, discordfake.Options{})
	d := s.SeedDemoWorld()
	none := &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
	s.DenyThreads(d.Support.ID)
	msg, err := dg.ChannelMessageSendComplex(d.Support.ID, &discordgo.MessageSend{Content: "card", AllowedMentions: none})
	if err != nil {
		t.Fatalf("posting where threads are denied: %v", err)
	}
	_, err = dg.MessageThreadStartComplex(d.Support.ID, msg.ID, &discordgo.ThreadStart{Name: "t", AutoArchiveDuration: 60})
	wantCode(t, err, 50013, "", "")
	_, err = dg.ThreadStartComplex(d.Support.ID, &discordgo.ThreadStart{Name: "t", Type: discordgo.ChannelTypeGuildPublicThread, AutoArchiveDuration: 60})
	wantCode(t, err, 50013, "", "")
	other, err := dg.ChannelMessageSendComplex(d.Desk.ID, &discordgo.MessageSend{Content: "card", AllowedMentions: none})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dg.MessageThreadStartComplex(d.Desk.ID, other.ID, &discordgo.ThreadStart{Name: "t", AutoArchiveDuration: 60}); err != nil {
		t.Errorf("a thread elsewhere: %v", err)
	}
}

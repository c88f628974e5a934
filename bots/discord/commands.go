package discord

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/bwmarrin/discordgo"
)

// Native commands, typed commands and button custom_ids, read into the
// actions core knows.

// command is /cornershop: the desk's text commands as a native command.
func command() *discordgo.ApplicationCommand {
	var choices []*discordgo.ApplicationCommandOptionChoice
	for _, c := range []string{"close", "reopen", "note", "assign", "unassign", "tag", "snooze", "history", "help"} {
		choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: c, Value: c})
	}
	return &discordgo.ApplicationCommand{
		Name: "cornershop", Description: "Act on this conversation",
		Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionString, Name: "action", Description: "what to do", Required: true, Choices: choices},
			{Type: discordgo.ApplicationCommandOptionString, Name: "text", Description: "note text, assignee, tag or time"},
		},
	}
}

// ideaSlashCommands are the customers' native commands: /idea, /ideas and
// /vote, answered by the relay like their typed forms.
func ideaSlashCommands() []*discordgo.ApplicationCommand {
	one := 1.0
	return []*discordgo.ApplicationCommand{
		{Name: "idea", Description: "Share an idea others can vote for", Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionString, Name: "text", Description: "title — details", Required: true, MaxLength: 2000},
		}},
		{Name: "ideas", Description: "See ideas (top, new, a status) or mute news about them", Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionString, Name: "which", Description: "top, new, planned, done…, mute or unmute"},
		}},
		{Name: "vote", Description: "Vote for an idea by its number", Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionInteger, Name: "number", Description: "the idea's number", Required: true, MinValue: &one},
		}},
	}
}

// helpSlashCommand is the customers' /help: with a question it searches
// the self-help answers (answered with a button per match), without one it
// says what the bot can do.
func helpSlashCommand() *discordgo.ApplicationCommand {
	return &discordgo.ApplicationCommand{Name: "help", Description: "Find an answer to your question yourself", Options: []*discordgo.ApplicationCommandOption{
		{Type: discordgo.ApplicationCommandOptionString, Name: "question", Description: "what you want to know", MaxLength: 500},
	}}
}

// registeredCommands are the application commands the bot registers:
// /cornershop, the customers' idea commands and /help.
func registeredCommands() []*discordgo.ApplicationCommand {
	return append(append([]*discordgo.ApplicationCommand{command()}, ideaSlashCommands()...), helpSlashCommand())
}

// customerSlashCommands are the native commands slashAction reads.
var customerSlashCommands = []string{"idea", "ideas", "vote", "help"}

// interactionAction reads the action an interaction invokes: /cornershop,
// the customers' /idea, /ideas and /vote, or a button of ours.
func interactionAction(i *discordgo.InteractionCreate) (name string, args []string, ok bool) {
	switch i.Type {
	case discordgo.InteractionApplicationCommand:
		data := i.ApplicationCommandData()
		if data.Name != "cornershop" {
			return slashAction(data)
		}
		for _, o := range data.Options {
			switch o.Name {
			case "action":
				name = optionText(o)
			case "text":
				args = strings.Fields(optionText(o))
			}
		}
		return name, args, name != ""
	case discordgo.InteractionMessageComponent:
		return parseCustomID(i.MessageComponentData().CustomID)
	}
	return "", nil, false
}

// slashAction reads /idea, /ideas, /vote and /help.
func slashAction(data discordgo.ApplicationCommandInteractionData) (string, []string, bool) {
	if !slices.Contains(customerSlashCommands, data.Name) {
		return "", nil, false
	}
	var text string
	for _, o := range data.Options {
		text = strings.TrimSpace(text + " " + optionText(o))
	}
	_, args, _ := parseCommand("/" + data.Name + " " + text)
	return data.Name, args, true
}

// optionText is an option's value as text, whatever its type.
func optionText(o *discordgo.ApplicationCommandInteractionDataOption) string {
	switch v := o.Value.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case nil:
		return ""
	default:
		return fmt.Sprint(v)
	}
}

// customIDPrefix starts the custom_id of every button of ours.
const customIDPrefix = "cornershop:"

// parseCustomID reads a button's custom_id, "cornershop:<action>[:<arg>…]",
// as an action: "cornershop:close", "cornershop:vote:12".
func parseCustomID(id string) (name string, args []string, ok bool) {
	rest, ok := strings.CutPrefix(id, customIDPrefix)
	if !ok || rest == "" {
		return "", nil, false
	}
	parts := strings.Split(rest, ":")
	return parts[0], parts[1:], parts[0] != ""
}

// customID makes a button's custom_id for an action.
func customID(name string, args ...string) string {
	return customIDPrefix + strings.Join(append([]string{name}, args...), ":")
}

// Customer commands typed as text: all of them in a DM (Discord has no
// per-DM slash commands for them), the idea ones in community channels.
var (
	dmCommands   = []string{"start", "help", "link", "idea", "ideas", "vote"}
	ideaCommands = []string{"idea", "ideas", "vote"}
)

// parseCommand reads "/name args…" from neutral text: the name lowercased;
// /idea keeps its text whole (line breaks separate title and details),
// other commands split it into words.
func parseCommand(text string) (name string, args []string, ok bool) {
	text = strings.TrimSpace(text)
	if !strings.HasPrefix(text, "/") {
		return "", nil, false
	}
	head, rest := text[1:], ""
	if i := strings.IndexFunc(head, unicode.IsSpace); i >= 0 {
		head, rest = head[:i], strings.TrimSpace(head[i:])
	}
	name = strings.ToLower(head)
	if name == "" {
		return "", nil, false
	}
	if name == "idea" {
		if rest == "" {
			return name, nil, true
		}
		return name, []string{rest}, true
	}
	return name, strings.Fields(rest), true
}

package discord

import (
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"
)

// maxInteractionBody bounds what the interactions endpoint reads; Discord's
// interactions are a few kilobytes.
const maxInteractionBody = 1 << 20

// interactionWindow is how far an interaction's signed timestamp may be
// from now before it is refused as a replay.
const interactionWindow = 5 * time.Minute

// alreadyHandled answers a replayed interaction: an ephemeral message
// (CHANNEL_MESSAGE_WITH_SOURCE with the EPHEMERAL flag) that mentions no one.
const alreadyHandled = `{"type":4,"data":{"content":"Already handled.","flags":64,"allowed_mentions":{"parse":[]}}}`

// publicKey decodes Options.PublicKey: 32 bytes in hex, as the Developer
// Portal shows it.
func publicKey(hexKey string) (ed25519.PublicKey, error) {
	k, err := hex.DecodeString(hexKey)
	if err != nil || len(k) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("discord: public key: want %d bytes in hex", ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(k), nil
}

// InteractionsHandler serves Discord's Interactions Endpoint URL (POST to
// any path it is mounted at): interactions signed with Ed25519 by Discord
// over X-Signature-Timestamp followed by the body, checked against
// Options.PublicKey. A missing, bad or stale signature is refused with 401,
// a body over 1 MiB with 413, an undecodable one with 400; nothing is
// handed to core for any of them, and the log line says why without the
// payload. A PING is answered {"type":1}; commands and buttons run through
// the same handling as interactions from the gateway, which answers
// through Discord's callback route, so the request itself gets 202 with
// no body, as Discord asks. An interaction acted on before (the same
// signed request sent again within the timestamp window; its id is
// remembered for a day in the database, see core.ActionResult.Repeat) acts
// on nothing and gets 200 with an ephemeral "Already handled." message.
// Without a public key every request gets 401.
func (b *Bot) InteractionsHandler() http.Handler {
	key, keyErr := publicKey(b.o.PublicKey)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		refuse := func(status int, reason string) {
			b.o.Logger.Warn("discord interaction refused", "status", status, "reason", reason, "remote", r.RemoteAddr)
			http.Error(w, http.StatusText(status), status)
		}
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			refuse(http.StatusMethodNotAllowed, "method "+r.Method)
			return
		}
		if keyErr != nil {
			refuse(http.StatusUnauthorized, "no public key configured")
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxInteractionBody))
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			refuse(http.StatusRequestEntityTooLarge, "body over 1 MiB")
			return
		case err != nil:
			refuse(http.StatusBadRequest, "unreadable body")
			return
		}
		if reason := verifyInteraction(key, r.Header, body, time.Now()); reason != "" {
			refuse(http.StatusUnauthorized, reason)
			return
		}
		var i discordgo.Interaction
		if err := json.Unmarshal(body, &i); err != nil {
			refuse(http.StatusBadRequest, "undecodable interaction")
			return
		}
		if i.Type == discordgo.InteractionPing {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"type":1}`))
			return
		}
		if reason := malformed(&i); reason != "" {
			refuse(http.StatusBadRequest, reason)
			return
		}
		if b.in.Load() == nil {
			refuse(http.StatusServiceUnavailable, "not running")
			return
		}
		if b.onInteraction(r.Context(), &discordgo.InteractionCreate{Interaction: &i}) {
			// A replay of an interaction acted on before: a valid
			// response that acts on nothing (the first answer stands).
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, alreadyHandled)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	})
}

// verifyInteraction checks Discord's signature and the timestamp's age; it
// returns why a request is refused, or "".
func verifyInteraction(key ed25519.PublicKey, h http.Header, body []byte, now time.Time) string {
	ts := h.Get("X-Signature-Timestamp")
	sig, err := hex.DecodeString(h.Get("X-Signature-Ed25519"))
	switch {
	case ts == "" || h.Get("X-Signature-Ed25519") == "":
		return "signature missing"
	case err != nil || len(sig) != ed25519.SignatureSize:
		return "signature malformed"
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return "timestamp malformed"
	}
	if now.Sub(time.Unix(secs, 0)).Abs() > interactionWindow {
		return "timestamp stale"
	}
	msg := make([]byte, 0, len(ts)+len(body))
	msg = append(append(msg, ts...), body...)
	if !ed25519.Verify(key, msg, sig) {
		return "signature invalid"
	}
	return ""
}

// malformed says what makes an interaction unfit for onInteraction, which
// trusts Discord's shapes: someone who invoked it, and options of the
// types the registered commands declare (string for a command or option
// we do not register), each value of its type's JSON (see optionFault).
func malformed(i *discordgo.Interaction) string {
	if (i.Member != nil && i.Member.User == nil) || (i.Member == nil && i.User == nil) {
		return "interaction without a user" // the member's user is the one read
	}
	if i.Type == discordgo.InteractionApplicationCommand {
		data := i.ApplicationCommandData()
		for _, o := range data.Options {
			if reason := optionFault(declaredType(data.Name, o.Name), o); reason != "" {
				return reason
			}
		}
	}
	return ""
}

// declaredType is the type the registered command name declares for its
// option, string when it declares none.
func declaredType(command, option string) discordgo.ApplicationCommandOptionType {
	for _, c := range registeredCommands() {
		if c.Name != command {
			continue
		}
		for _, o := range c.Options {
			if o.Name == option {
				return o.Type
			}
		}
	}
	return discordgo.ApplicationCommandOptionString
}

// optionFault says why option o does not fit the declared type want: a
// different type, or a value that is not that type's JSON (a string; an
// integral JSON number for an integer; true or false for a boolean).
func optionFault(want discordgo.ApplicationCommandOptionType, o *discordgo.ApplicationCommandInteractionDataOption) string {
	if o.Type != want {
		return "option of type " + o.Type.String()
	}
	var ok bool
	switch v := o.Value.(type) {
	case string:
		ok = want == discordgo.ApplicationCommandOptionString
	case float64:
		ok = want == discordgo.ApplicationCommandOptionInteger && v == math.Trunc(v) && math.Abs(v) <= 1<<53
	case bool:
		ok = want == discordgo.ApplicationCommandOptionBoolean
	}
	if !ok {
		return "option value not of type " + want.String()
	}
	return ""
}

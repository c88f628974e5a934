package discord

import (
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"cornershop/core"
)

// TestClassifyTellsOurHoldFromDiscords429: a 429 that held made up for a
// call inside an earlier window is our own pacing (logged at debug); one
// from Discord is a platform's retry-after (logged at info). Both wait
// exactly as long.
func TestClassifyTellsOurHoldFromDiscords429(t *testing.T) {
	b := &Bot{}
	tests := []struct {
		name, message string
		paced         bool
	}{
		{"held by us", heldMessage, true},
		{"Discord's own", "You are being rate limited.", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := b.classify("send message", &discordgo.RateLimitError{RateLimit: &discordgo.RateLimit{
				TooManyRequests: &discordgo.TooManyRequests{Message: tc.message, RetryAfter: 2 * time.Second}}})
			class, after := core.Classify(err)
			if class != core.ClassRetryAfter || after != 2*time.Second || core.IsPaced(err) != tc.paced {
				t.Errorf("classified as %v after %s, paced %v; want a 2 s retry-after, paced %v", class, after, core.IsPaced(err), tc.paced)
			}
		})
	}
}

// Package listen decides which community messages matter: it matches
// listening rules (words and phrases, case-, accent- and word-aware) against
// a message's text and scores its sentiment with a lexicon. It keeps no
// state and stores nothing; the relay records only what matched.
package listen

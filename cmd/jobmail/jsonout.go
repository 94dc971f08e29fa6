package main

import (
	"encoding/json"
	"time"

	"github.com/jobmail/jobmail/providers"
	"github.com/jobmail/jobmail/wizard"
)

// jsonResult is the `--json` contract of DESIGN.md: extend, never break.
// Codes are language-neutral; title/explain/remedy are the localized words.
type jsonResult struct {
	OK         bool            `json:"ok"`
	Entity     string          `json:"entity,omitempty"`
	Key        string          `json:"key,omitempty"`
	SharedWith string          `json:"tested_with,omitempty"`
	Address    string          `json:"address,omitempty"`
	Channel    string          `json:"channel,omitempty"`
	Stages     []jsonStage     `json:"stages"`
	DurationMS float64         `json:"duration_ms"`
	Diagnosis  *jsonDiagnosis  `json:"diagnosis"`
	Warnings   []jsonDiagnosis `json:"warnings"`
	Checks     []jsonCheck     `json:"checks,omitempty"`
	Token      string          `json:"verification_token,omitempty"`
	// Proof says what a passed test proved: sent | this_machine_only
	// (the warnings say why) | nothing_sent (the platform's own service:
	// no test message, no verification token).
	Proof      string   `json:"proof,omitempty"`
	Transcript []string `json:"transcript,omitempty"`
	Export     string   `json:"export,omitempty"`
	SavedIn    string   `json:"saved_secret,omitempty"`
	ExitCode   int      `json:"exit_code"`
}

// jsonRun is the object for a setup with entities: one jsonResult per
// mailbox (company first), and the worst exit code.
type jsonRun struct {
	OK       bool         `json:"ok"`
	Entities []jsonResult `json:"entities"`
	Export   string       `json:"export,omitempty"`
	ExitCode int          `json:"exit_code"`
}

type jsonStage struct {
	Name       string  `json:"name"`
	OK         bool    `json:"ok"`
	DurationMS float64 `json:"duration_ms"`
}

type jsonCheck struct {
	ID        string         `json:"id"`
	Automatic bool           `json:"automatic"`
	OK        bool           `json:"ok"`
	Warning   bool           `json:"warning,omitempty"`
	Diagnosis *jsonDiagnosis `json:"diagnosis,omitempty"`
}

type jsonDiagnosis struct {
	Code    string            `json:"code"`
	Reply   string            `json:"reply"`
	Remedy  string            `json:"remedy"`
	Title   string            `json:"title"`
	Explain string            `json:"explain,omitempty"`
	Actor   string            `json:"actor,omitempty"`
	Field   string            `json:"field,omitempty"`
	Line    int               `json:"line,omitempty"`
	Args    map[string]string `json:"args,omitempty"`
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func (o *Options) jsonDiag(d *providers.Diagnosis) *jsonDiagnosis {
	if d == nil {
		return nil
	}
	t := o.words.Diagnosis(*d)
	return &jsonDiagnosis{Code: string(d.Code), Reply: d.Reply, Remedy: t.Remedy, Title: t.Title,
		Explain: t.Explain, Actor: string(d.Actor), Field: d.Field, Args: d.Args}
}

// head is what an outcome's line in the summary table and its JSON object
// share: passed or not, the mailbox tested, and what stopped it — the
// machine's diagnosis or the error that ended the run (both nil when it
// passed). The table needs no more, so a many-entity run renders no
// words for warnings nobody prints there.
type head struct {
	OK               bool
	Address, Channel string
	Blocked          *providers.Diagnosis
	Err              error
}

func (out outcome) head() head {
	h := head{OK: out.ExitCode == ExitOK, Address: out.Address, Channel: string(out.Channel)}
	if s := out.Session; s != nil {
		m := s.Mailbox()
		h.Address, h.Channel = m.Address, m.Channel
	}
	switch {
	case out.Step.Blocked != nil:
		h.Blocked = out.Step.Blocked
	case out.Err != nil:
		h.Err = out.Err
	}
	return h
}

// code is the diagnosis code of what stopped the outcome; "" when it passed.
func (h head) code() string {
	switch {
	case h.Blocked != nil:
		return string(h.Blocked.Code)
	case h.Err != nil:
		return string(diagnosisOfError(h.Err).Code)
	}
	return ""
}

// jsonOf builds the object for one outcome.
func (o *Options) jsonOf(out outcome, exportPath string) jsonResult {
	h := out.head()
	j := jsonResult{OK: h.OK, Entity: out.Entity, Key: out.Key, SharedWith: out.SharedWith, Stages: []jsonStage{},
		Warnings: []jsonDiagnosis{}, Export: exportPath, SavedIn: o.savedSecret, ExitCode: out.ExitCode,
		Address: h.Address, Channel: h.Channel}
	if s := out.Session; s != nil {
		for _, w := range s.Warnings {
			j.Warnings = append(j.Warnings, *o.jsonDiag(&w.Diagnosis))
		}
		for _, c := range s.Checks {
			j.Checks = append(j.Checks, jsonCheck{ID: c.ID, Automatic: c.Automatic, OK: c.OK, Warning: c.Warning, Diagnosis: o.jsonDiag(c.Diagnosis)})
		}
		if r := s.Result; r != nil {
			for _, st := range r.Stages {
				j.Stages = append(j.Stages, jsonStage{Name: string(st.Name), OK: st.OK, DurationMS: ms(st.Duration)})
			}
			j.DurationMS = ms(r.Duration)
			j.Transcript = r.Transcript
			if r.OK() {
				j.Proof = string(s.Proof())
				if s.Proof() != wizard.ProofNothingSent {
					j.Token = s.Token
				}
			}
		}
	}
	switch {
	case h.Blocked != nil:
		j.Diagnosis = o.jsonDiag(h.Blocked)
	case h.Err != nil:
		j.Diagnosis = o.errorDiagnosis(h.Err)
	}
	return j
}

// errorDiagnosis gives an error that stopped the run a code, so `--json`
// always says what happened in the same shape.
func (o *Options) errorDiagnosis(err error) *jsonDiagnosis {
	d := diagnosisOfError(err)
	j := o.jsonDiag(&d)
	j.Reply = ""
	j.Explain = o.errorText(err)
	if fe, ok := asFieldError(err); ok {
		j.Line = fe.Line
	}
	return j
}

func writeJSON(o *Options, v any) {
	enc := json.NewEncoder(o.f.Stdout)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

var _ = wizard.StateDone

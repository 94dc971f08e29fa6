package setupfile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/jobmail/jobmail/secrets/safefile"
)

// MaxSetupSize bounds the setup file. A real one is a few KiB; the limit is
// checked before parsing so that a 100 MB file fails at once instead of
// filling memory.
const MaxSetupSize = 1 << 20

// LoadOptions are the loader's dependencies and modes. The zero value
// loads strictly from the real file system.
type LoadOptions struct {
	// Partial accepts a setup file that still lacks required answers (an
	// interrupted interactive run saved with progress): every value that
	// is present is still checked, missing ones are left to the machine.
	Partial bool
	// ReadFile reads a ca_file (default ReadFileLimited).
	ReadFile func(string) ([]byte, error)
	// CheckReadable checks a `file:` secret without reading it (default
	// CheckReadable).
	CheckReadable func(string) error
	// OnValidate, when set, is told each time a validator runs on a value
	// (not when a verdict is remembered; see Setup.Valid), by the loader
	// and by the loaded setup's later answers alike: tests count with it.
	// A value is whatever the file holds, a password pasted where a
	// reference belongs included: a hook must not show or log it.
	OnValidate func(rule Rule, value string)
}

// Loaded is a valid setup file: the model as written (no defaults filled
// in, so that Save writes back what the person wrote; see Effective), the
// line of every key, and the warnings found.
type Loaded struct {
	Path     string
	Setup    *Setup
	Lines    Lines
	Warnings []Warning
}

// Lines maps a key path ("company.smtp.port", "entities[2].address") to
// the line it is on in the setup file.
type Lines map[string]int

// Line is the line of key, or of its nearest ancestor present in the file
// (a missing "company.smtp.host" is reported where "company.smtp" is), or
// 0 when none is.
func (l Lines) Line(key string) int {
	for key != "" {
		if n, ok := l[key]; ok {
			return n
		}
		key = parentKey(key)
	}
	return 0
}

func parentKey(key string) string {
	i := strings.LastIndexAny(key, ".[")
	if i < 0 {
		return ""
	}
	return key[:i]
}

// SetupError is an invalid setup file: every problem found, in file order,
// each a *FieldError with key, line and reason. errors.As(err, &fe) with
// a *FieldError yields the first one.
type SetupError struct {
	Path   string
	Errors []*FieldError
}

func (e *SetupError) Error() string {
	if len(e.Errors) == 1 {
		return "invalid setup file: " + e.Errors[0].Error()
	}
	return fmt.Sprintf("invalid setup file: %v (and %d more)", e.Errors[0], len(e.Errors)-1)
}

// Unwrap gives the individual *FieldErrors to errors.Is/As.
func (e *SetupError) Unwrap() []error {
	out := make([]error, len(e.Errors))
	for i, fe := range e.Errors {
		out[i] = fe
	}
	return out
}

// LoadFile loads and validates the setup file at path strictly.
func LoadFile(path string) (*Loaded, error) { return Load(path, LoadOptions{}) }

// Load reads the setup file at path and validates it: structure (unknown
// keys, types, duplicates), then values and cross-field rules. Every
// failure is a *SetupError of *FieldErrors naming key and line. Relative
// ca_file and file: paths are taken as they will be used, relative to the
// working directory. No secret value is read.
//
// Relative paths in the file (ca_file, file: secrets) are relative to the
// file's own directory, so a setup replays the same from anywhere.
func Load(path string, opts LoadOptions) (*Loaded, error) {
	data, fe := readSetup(path)
	if fe != nil {
		return nil, &SetupError{Path: path, Errors: []*FieldError{fe}}
	}
	dir := filepath.Dir(path)
	opts = opts.relativeTo(dir)
	l, err := Parse(path, data, opts)
	if l != nil {
		l.Setup.dir = dir
	}
	return l, err
}

// relativeTo makes the file checks resolve relative paths against dir.
func (o LoadOptions) relativeTo(dir string) LoadOptions {
	read, check := o.ReadFile, o.CheckReadable
	if read == nil {
		read = ReadFileLimited
	}
	if check == nil {
		check = CheckReadable
	}
	o.ReadFile = func(p string) ([]byte, error) { return read(joinRelative(dir, p)) }
	o.CheckReadable = func(p string) error { return check(joinRelative(dir, p)) }
	return o
}

func joinRelative(dir, p string) string {
	if p == "" || filepath.IsAbs(p) || dir == "" {
		return p
	}
	return filepath.Join(dir, p)
}

// ResolvePath is p as the program must open it: relative paths written in
// a loaded setup file are relative to that file's directory.
func (s *Setup) ResolvePath(p string) string { return joinRelative(s.dir, p) }

// Parse validates setup-file content; name labels errors.
func Parse(name string, data []byte, opts LoadOptions) (l *Loaded, err error) {
	defer func() {
		// yaml.v3 has panicked on hostile input before; a panic is a
		// bug, but the user still gets a clear error, never a trace.
		if r := recover(); r != nil {
			l, err = nil, &SetupError{Path: name, Errors: []*FieldError{{File: name, Reason: ReasonYAMLSyntax,
				Args: map[string]string{"detail": "parser failure"}, Err: fmt.Errorf("yaml parser panic: %v", r)}}}
		}
	}()
	if fe := checkContent(name, data); fe != nil {
		return nil, &SetupError{Path: name, Errors: []*FieldError{fe}}
	}
	root, fe := parseDocument(data)
	if fe != nil {
		fe.File = name
		return nil, &SetupError{Path: name, Errors: []*FieldError{fe}}
	}
	// Structure first; values and cross-field rules only on a file whose
	// structure is sound, or a misspelt key would also be reported as a
	// missing one.
	s := &Setup{}
	d := &decoder{lines: Lines{}, nulls: map[string]bool{}}
	d.decode(root, reflect.ValueOf(s).Elem(), "")
	errs, warns := d.errs, []Warning(nil)
	if len(errs) == 0 {
		c := newChecker(d.lines, d.nulls, opts)
		c.setup(s)
		errs, warns = c.errs, c.warns
		s.verdicts = c.verdicts
	}
	if len(errs) > 0 {
		return nil, &SetupError{Path: name, Errors: finishErrors(errs, s, name)}
	}
	return &Loaded{Path: name, Setup: s, Lines: d.lines, Warnings: warns}, nil
}

// readSetup reads at most MaxSetupSize bytes, refusing what is not a file.
func readSetup(path string) ([]byte, *FieldError) {
	fail := func(reason string, err error, kv ...string) *FieldError {
		return &FieldError{File: path, Reason: reason, Args: fileArgs(path, kv...), Err: err}
	}
	fi, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fail(ReasonFileNotFound, err)
		}
		return nil, fail(ReasonFileUnreadable, err, "detail", fileProblem(err))
	}
	if fi.IsDir() {
		return nil, fail(ReasonFileIsDir, nil)
	}
	// The one bounded reader refuses FIFOs, sockets and devices without
	// opening them in a blocking way (a FIFO's open would wait for a
	// writer; /dev/zero never ends) and stops past the size limit.
	max := strconv.Itoa(MaxSetupSize)
	data, err := safefile.Read(context.Background(), path, safefile.ReadOptions{Max: MaxSetupSize})
	switch {
	case errors.Is(err, safefile.ErrTooLarge):
		return nil, fail(ReasonFileTooLarge, nil, "max_bytes", max)
	case errors.Is(err, safefile.ErrNotRegular):
		return nil, fail(ReasonFileUnreadable, errNotRegular, "detail", "not_regular")
	case err != nil:
		return nil, fail(ReasonFileUnreadable, err, "detail", fileProblem(err))
	}
	return data, nil
}

// checkContent refuses what is not text before YAML sees it: a binary file
// (NUL bytes), invalid UTF-8 (yaml.v3 would report it less clearly), an
// oversized buffer and an empty file.
func checkContent(name string, data []byte) *FieldError {
	fail := func(reason string, line int, kv ...string) *FieldError {
		return &FieldError{File: name, Line: line, Reason: reason, Args: fileArgs(name, kv...)}
	}
	if len(data) > MaxSetupSize {
		return fail(ReasonFileTooLarge, 0, "max_bytes", strconv.Itoa(MaxSetupSize))
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return fail(ReasonFileBinary, lineAt(data, i))
	}
	if !utf8.Valid(data) {
		i := 0
		for i < len(data) {
			r, n := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			i += n
		}
		return fail(ReasonFileNotUTF8, lineAt(data, i))
	}
	if len(bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))) == 0 {
		return fail(ReasonFileEmpty, 0)
	}
	return nil
}

func lineAt(data []byte, off int) int { return bytes.Count(data[:off], []byte("\n")) + 1 }

var yamlLineRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^yaml: line (\d+): (.*)$`) })

// parseDocument parses exactly one YAML document into a node tree without
// resolving aliases (so an alias bomb costs nothing: the walk refuses it).
func parseDocument(data []byte) (*yaml.Node, *FieldError) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &FieldError{Reason: ReasonFileEmpty}
		}
		return nil, syntaxError(data, err)
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, syntaxError(data, err)
	default:
		return nil, &FieldError{Reason: ReasonMultipleDocs, Line: extra.Line}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, &FieldError{Reason: ReasonFileEmpty}
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" {
		return nil, &FieldError{Reason: ReasonFileEmpty, Line: root.Line}
	}
	if line := firstAlias(root); line > 0 {
		return nil, &FieldError{Reason: ReasonAliasForbidden, Line: line}
	}
	return root, nil
}

// firstAlias is the line of the first anchor, alias or merge key anywhere
// in the tree, or 0. Checked before anything else so that an alias bomb
// is named as such even under keys the setup file does not know. The
// tree is walked as parsed (aliases not followed), so this is linear in
// the size of the file.
func firstAlias(root *yaml.Node) int {
	stack := []*yaml.Node{root}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n.Kind == yaml.AliasNode || n.Anchor != "" || n.ShortTag() == "!!merge" {
			return n.Line
		}
		for i := len(n.Content) - 1; i >= 0; i-- {
			stack = append(stack, n.Content[i])
		}
	}
	return 0
}

// syntaxError turns yaml.v3's message into key-less FieldError with the
// parser's line. A tab in the indentation is named as such: it is the
// most common cause, and the parser's words for it are obscure.
func syntaxError(data []byte, err error) *FieldError {
	msg := err.Error()
	line := 0
	detail := strings.TrimPrefix(msg, "yaml: ")
	if m := yamlLineRE().FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		detail = m[2]
	}
	tabby := strings.Contains(detail, "tab") || strings.Contains(detail, "cannot start any token")
	if tl := firstTabIndent(data); tabby && tl > 0 && (line == 0 || tl <= line+1) {
		return &FieldError{Reason: ReasonTabIndent, Line: tl, Err: err}
	}
	return &FieldError{Reason: ReasonYAMLSyntax, Line: line, Args: map[string]string{"detail": SafeArg(detail)}, Err: err}
}

// firstTabIndent is the first line whose indentation contains a tab.
func firstTabIndent(data []byte) int {
	for i, ln := range bytes.Split(data, []byte("\n")) {
		for _, c := range ln {
			if c == '\t' {
				return i + 1
			}
			if c != ' ' {
				break
			}
		}
	}
	return 0
}

// finishErrors sorts errors into file order, labels errors inside an
// entity with its index and name (people know entities by name), names
// the file, and caps the list.
func finishErrors(errs []*FieldError, s *Setup, file string) []*FieldError {
	sortErrors(errs)
	if len(errs) > maxErrors {
		errs = append(errs[:maxErrors], &FieldError{Reason: ReasonTooManyErrors,
			Args: map[string]string{"max": strconv.Itoa(maxErrors)}})
	}
	for _, fe := range errs {
		fe.File = file
		if i, ok := entityIndex(fe.Key); ok {
			if fe.Args == nil {
				fe.Args = map[string]string{}
			}
			fe.Args["index"] = strconv.Itoa(i)
			if s != nil && i < len(s.Entities) && s.Entities[i].Name != "" {
				fe.Args["entity"] = SafeArg(s.Entities[i].Name)
			}
		}
	}
	return errs
}

// maxErrors caps the errors reported for one file: past that, the file is
// not a setup file with mistakes but something else.
const maxErrors = 50

func sortErrors(errs []*FieldError) {
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Line < errs[j].Line })
}

// entityIndex parses the N of a key "entities[N]…".
func entityIndex(key string) (int, bool) {
	rest, ok := strings.CutPrefix(key, "entities[")
	if !ok {
		return 0, false
	}
	num, _, ok := strings.Cut(rest, "]")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(num)
	return n, err == nil
}

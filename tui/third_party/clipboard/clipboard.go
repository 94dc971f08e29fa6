// Copyright 2013 @atotto. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Package clipboard read/write on clipboard
//
// This is jobmail's fork of v0.1.4: on Unix the clipboard programs are
// looked up on the first ReadAll or WriteAll, not at package init (see
// go.mod). Everything else is upstream's.
package clipboard

// ReadAll read string from clipboard
func ReadAll() (string, error) {
	return readAll()
}

// WriteAll write string to clipboard
func WriteAll(text string) error {
	return writeAll(text)
}

// Unsupported might be set true during clipboard init, to help callers decide
// whether or not to offer clipboard options.
//
// Fork: on Unix it is set by the first ReadAll or WriteAll (the look-up is
// lazy); before that it is false. Nothing in jobmail's dependencies reads it.
var Unsupported bool

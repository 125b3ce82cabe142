//go:build cloud

package main

// The object stores a sharded run exchanges its states through, besides
// a directory: s3://, gs:// and azblob:// URLs.
import _ "github.com/argocheck/argocheck/shard/cloud"

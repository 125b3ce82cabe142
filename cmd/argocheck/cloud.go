//go:build cloud

package main

import (
	// The object stores a sharded run exchanges its states through, besides
	// a directory: s3://, gs:// and azblob:// URLs.
	_ "gocloud.dev/blob/azureblob"
	_ "gocloud.dev/blob/gcsblob"
	_ "gocloud.dev/blob/s3blob"
)

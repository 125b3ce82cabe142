// Package shard searches a model.Checker's state graph with N cooperating
// processes, the shards, that share nothing but a bucket of object storage
// (a Bucket: a directory, S3, GCS, Azure): a level-synchronous
// breadth-first search with one barrier per level and no server. Its
// verdict, state, transition and crash-point counts, depth and shortest
// path are those of explorer.Run over the same check, for any number of
// shards.
//
// A state belongs to the shard its fingerprint names, key mod N. Every
// level, each shard expands the frontier states it owns (on several
// goroutines), keeps each successor's smallest discovering edge, writes one
// object of successors for every other shard, and then its marker: its
// counts, its smallest violation, and the sorted discovering edges of the
// frontier it expanded. When every shard's marker for the level is there
// (the barrier), each shard merges the level's edge lists to learn the
// global number of every frontier state, turns the edges it received
// (numbered within their sender's frontier) into global edges, keeps the
// smallest per state, drops the states it has visited, and commits the
// rest, sorted by discovering edge, as its next frontier; then it deletes
// the objects of successors sent to it in the level, which nothing reads
// again (a process of the shard that lags behind takes the committed
// frontier instead). A state's number
// is its rank by discovering edge among its level's states, as in
// explorer.Run; it is learnt one barrier later, from the next markers,
// which is why one barrier per level suffices. A level whose frontier is
// empty on every shard ends the search, verified; a level with a
// violation anywhere ends it on every shard, shard 0 rebuilding the path
// with explorer.Restore from the edge lists of the markers.
//
// Under the bucket a run keeps:
//
//	manifest.json                  the run: system, parameters, variant, modes, shards, build,
//	                               and the run's random name, which its reports carry
//	level-DDDDDD/frontier-I        shard I's frontier at depth D: keys, edges, encodings
//	level-DDDDDD/to-J/from-I-W     what process W of shard I found for shard J expanding level D,
//	                               until shard J has committed level D+1's frontier
//	level-DDDDDD/done-I            shard I's marker for level D, naming its process W
//
// Every object is written whole by one call (blob writers commit on Close)
// and never changes afterwards but for being written again by the same
// shard with the same states, so a shard killed at any moment and started
// again resumes from its last frontier: it reads back its visited keys
// and the frontier from its frontier objects and redoes the level; its
// marker of the level, if it is there already, stands, and the process
// takes it and writes neither candidates nor a marker of the level
// (other shards may have passed the level on it, and be deleting the
// candidates sent to them in it). A marker is written only where there
// is none (Write with onlyNew): of two processes of a shard that both
// reach the write, one writes it and the other takes it, on every store
// that can tell (directories, and the stores of shard/cloud). Each
// process of a shard names itself by a random number W, and the
// candidates it sends by it: a marker is read with the candidates of the
// process that wrote it, even when another process of the same shard
// (started again while the first still runs) writes the level too. (Each
// shard leaves out the successors it sent in earlier levels, all known
// states by then; a shard started again has forgotten them and sends them
// again, which changes nothing.) The binary objects are compressed with
// zstd. A run refuses a bucket
// that holds another run's manifest, or objects and no manifest. A run
// belongs to the build of the program that made it (Manifest.Build): its
// states come from that build's layer code, so every shard runs the same
// binary, and a bucket made by another build is another run's.
//
// The exchange is a Bucket. Open opens file:// URLs as directories itself
// (OpenDir); package shard/cloud, which cmd/argocheck built with the tag
// cloud imports, adds s3://, gs:// and azblob:// (gocloud.dev/blob), and
// a program of one's own that shards through object storage imports it
// too. Without it, a program pulls in no cloud client.
package shard

module example.com/usermod

go 1.26.0

require github.com/argocheck/argocheck v0.0.0

replace github.com/argocheck/argocheck => ../../..

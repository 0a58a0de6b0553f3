# fish completion for lockrun(1)

complete -c lockrun -s h -l help -d 'Print a summary of the options and exit'
complete -c lockrun -l version -d 'Print the version and exit'
complete -c lockrun -s v -l verbose -d 'Say when the lock is taken and released'
complete -c lockrun -s q -l quiet -d 'Say nothing but errors'
complete -c lockrun -l syslog -d 'Also log to syslog, facility mail'
complete -c lockrun -l config -r -F -d 'Read options from the [lockrun] section of FILE'
complete -c lockrun -s k -l kind -x -a 'flock fcntl dotlock' -d 'Kind of lock to take on LOCK'
complete -c lockrun -s m -l mailbox -r -F -d 'Lock MAILBOX as the MTA does'
complete -c lockrun -s n -l nonblock -d 'Fail at once if the lock is held'
complete -c lockrun -s w -l wait -x -d 'Wait at most SECS for the lock'
complete -c lockrun -s s -l stale -x -d 'Break a dotlock older than SECS'
complete -c lockrun -s E -l conflict-exit-code -x -d 'Exit with CODE when the lock cannot be had'

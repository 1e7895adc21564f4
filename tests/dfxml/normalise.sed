# normalise.sed: removes from report.xml what changes between runs, hosts and checkouts, so
# that two reports of the same capture and options compare equal (tests/dfxml/report.sh):
# the build (version, compiler, date, library versions), the execution environment (host,
# kernel, user, command line, start time), the directory of each input, and rusage.
s|<version>[^<]*</version>|<version>V</version>|
s|<compiler>[^<]*</compiler>|<compiler>C</compiler>|
s|<compilation_date>[^<]*</compilation_date>|<compilation_date>D</compilation_date>|
s|<library name="\([^"]*\)" version="[^"]*"/>|<library name="\1" version="V"/>|
s,<\(os_sysname\|os_release\|os_version\|host\|arch\|command_line\|uid\|username\|start_time\)>.*</\1>,<\1>X</\1>,
s|<image_filename>.*/\([^/<]*\)</image_filename>|<image_filename>\1</image_filename>|
s,<\(utime\|stime\|maxrss\|minflt\|majflt\|nswap\|inblock\|oublock\|clocktime\)>[^<]*</\1>,<\1>N</\1>,

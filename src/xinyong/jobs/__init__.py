"""定时任务: jobs registered in code by name (DESIGN habit 6), run by the scheduler inside
`xinyong serve` or once by `xinyong jobs run NAME`; a lease row keeps two processes from running
the same job, and every run is recorded for the credit office."""

"""Introduction programmes: HR's overview of everyone in introduction, the templates, and launching one."""

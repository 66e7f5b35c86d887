"""The front ends inside Excel and WPS: the 校验 button, worksheet functions, the .xlam, the add-in server."""

"""Auth providers of the jixiao-xl add-in server (xlwings Server imports auth.<provider> from the project)."""

name    = upper("contoso")
issuers = sort(distinct(concat(["b", "a"], split(",", "a,c"))))
summary = format("%s has %d issuers", lower("CONTOSO"), length(["a", "b", "c"]))

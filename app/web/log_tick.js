// The step-size slider runs over log10(α): its ticks and value read as α itself.
return Number((10 ** tick).toPrecision(2)).toString()

Console.WriteLine("tokenbroker");
